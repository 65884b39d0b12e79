package dev.imagebuilder.registry;

import java.util.List;

/**
 * What a tag points at.
 *
 * @param digest the manifest's digest ({@code sha256:...}), computed over its exact bytes
 * @param mediaType its media type
 * @param platforms an index's platforms ({@code amd64}, {@code arm64/v8}, ...), empty for a single manifest
 */
public record ManifestSummary(ImageReference reference, String digest, String mediaType, List<String> platforms) {
  public ManifestSummary {
    platforms = List.copyOf(platforms);
  }

  /** Whether the index holds this OCI architecture ({@code amd64}, {@code arm64}, {@code ppc64le}; variant ignored). */
  public boolean hasArchitecture(String architecture) {
    return platforms.stream().anyMatch(p -> p.equals(architecture) || p.startsWith(architecture + "/"));
  }
}
