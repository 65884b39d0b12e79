package dev.imagebuilder.launchpad.internal.oci;

import java.net.URI;
import java.util.List;

/**
 * What Launchpad says about the recipe of one catalog entry.
 *
 * @param architectures the recipe's processors by name, in Launchpad's order
 * @param pushRules how many push rules it has, -1 when that could not be read, or
 *     {@link #PUSH_RULES_UNREAD} when they were not read (a build reads them only if it must)
 */
public record RecipeInfo(Catalog.Entry entry, URI recipe, URI webLink, List<String> architectures, int pushRules) {
  /** The push rules were not read: only a built image with no upload scheduled needs them. */
  public static final int PUSH_RULES_UNREAD = -2;

  public RecipeInfo {
    architectures = List.copyOf(architectures);
  }

  /** Whether a successful build will be uploaded to a registry. */
  public boolean publishes() {
    return pushRules > 0;
  }
}
