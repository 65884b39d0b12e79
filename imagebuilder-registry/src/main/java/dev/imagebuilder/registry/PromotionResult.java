package dev.imagebuilder.registry;

import java.util.List;
import java.util.Objects;

/**
 * One promotion: the manifest read under the source tag and what became of each target tag.
 *
 * @param source the tag read, such as {@code ...:1.21-22.04_edge}
 * @param digest the digest of its bytes, which every written tag now has
 * @param mediaType the manifest's media type (an index or list for multi-arch images)
 * @param platforms the platforms of an index ({@code amd64}, {@code arm64/v8}), empty for a single manifest
 * @param tags one result per target tag, in the order given
 */
public record PromotionResult(ImageReference source, String digest, String mediaType, List<String> platforms,
    List<TagResult> tags) {
  public PromotionResult {
    Objects.requireNonNull(source, "source");
    platforms = List.copyOf(platforms);
    tags = List.copyOf(tags);
  }

  /** True when no tag failed. */
  public boolean succeeded() {
    return tags.stream().noneMatch(TagResult::failed);
  }
}
