package dev.imagebuilder.registry;

import dev.imagebuilder.registry.internal.Manifest;

/**
 * A manifest read under a source tag by {@link Promoter#read}, kept as its exact bytes: check it
 * ({@link #summary()}), then hand it to {@link Promoter#promote(SourceManifest, java.util.List)},
 * which writes these bytes without reading the tag again. Immutable.
 */
public final class SourceManifest {
  private final ManifestSummary summary;
  private final Manifest manifest;

  SourceManifest(ImageReference reference, Manifest manifest) {
    this.manifest = manifest;
    this.summary = new ManifestSummary(reference, manifest.digest(), manifest.mediaType(),
        manifest.children().stream().map(Manifest.Child::platform).filter(p -> !p.isEmpty()).toList());
  }

  /** The tag it was read under. */
  public ImageReference reference() {
    return summary.reference();
  }

  /** Its digest, media type and an index's platforms. */
  public ManifestSummary summary() {
    return summary;
  }

  Manifest manifest() {
    return manifest;
  }

  @Override
  public String toString() {
    return summary.reference() + "@" + summary.digest();
  }
}
