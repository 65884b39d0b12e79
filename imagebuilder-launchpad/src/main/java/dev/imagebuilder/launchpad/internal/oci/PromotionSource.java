package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.registry.ImageReference;
import java.net.URI;
import java.util.List;

/**
 * One (image, series) to promote: where Launchpad pushed its manifest list and which
 * architectures the list must hold.
 *
 * @param branch the recipe's git branch ({@code 1.21-22.04}), or {@code null} when unknown
 * @param repositories the push rules' registries and image names
 * @param architectures Launchpad's names of the architectures the list must hold
 */
record PromotionSource(Catalog.Entry entry, String branch, List<Repository> repositories, List<String> architectures,
    URI webLink) {
  /** A push rule as a registry and repository. */
  record Repository(URI registry, String name) {
    ImageReference tag(String tag) {
      return new ImageReference(registry, name, tag);
    }
  }

  PromotionSource {
    repositories = List.copyOf(repositories);
    architectures = List.copyOf(architectures);
  }
}
