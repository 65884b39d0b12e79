package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.registry.ImageReference;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads what promotion needs from Launchpad, reads only: the recipe's git branch (from
 * {@code git_ref_link}), its processors and its push rules ({@code registry_url},
 * {@code image_name}), unless the catalog gives the push rules.
 */
final class PromotionResolver {
  private final LaunchpadClient client;
  private final Catalog catalog;

  PromotionResolver(LaunchpadClient client, Catalog catalog) {
    this.client = client;
    this.catalog = catalog;
  }

  CompletableFuture<PromotionSource> resolve(Catalog.Entry e) {
    URI recipe = client.root().resolve(e.recipe());
    return client.get(recipe).handle((json, failure) -> {
      if (failure != null) {
        Throwable t = LaunchpadClient.unwrap(failure);
        if (t instanceof RemoteServiceException r && r.status() == 404) {
          throw new CompletionException(new InvalidRequestException("launchpad.catalog", "the recipe of "
              + e.image() + " " + e.seriesName() + " (" + recipe + ") does not exist on Launchpad"));
        }
        throw new CompletionException(t);
      }
      return json;
    }).thenCompose(json -> {
      String branch = branch(json.path("git_ref_link").asText(null));
      URI web = json.hasNonNull("web_link") ? URI.create(json.get("web_link").asText()) : null;
      CompletableFuture<List<String>> processors = json.hasNonNull("processors_collection_link")
          ? client.collection(URI.create(json.get("processors_collection_link").asText()))
              .thenApply(RecipeResolver::names)
          : CompletableFuture.completedFuture(List.of());
      CompletableFuture<List<PromotionSource.Repository>> repos = catalog.pushRules(e.image())
          .map(rules -> CompletableFuture.completedFuture(fromCatalog(rules)))
          .orElseGet(() -> json.hasNonNull("push_rules_collection_link")
              ? client.collection(URI.create(json.get("push_rules_collection_link").asText()))
                  .thenApply(rules -> fromLaunchpad(e, rules))
              : CompletableFuture.completedFuture(List.of()));
      return processors.thenCombine(repos, (p, r) -> new PromotionSource(e, branch, r, p, web));
    });
  }

  /** {@code .../+git/redis/+ref/1.21-22.04} (or {@code refs/heads/...}) -> {@code 1.21-22.04}. */
  static String branch(String gitRefLink) {
    if (gitRefLink == null) {
      return null;
    }
    int i = gitRefLink.indexOf("/+ref/");
    if (i < 0) {
      return null;
    }
    String ref = URLDecoder.decode(gitRefLink.substring(i + 6), StandardCharsets.UTF_8);
    for (String prefix : List.of("refs/heads/", "refs/tags/")) {
      if (ref.startsWith(prefix)) {
        return ref.substring(prefix.length());
      }
    }
    return ref;
  }

  private static List<PromotionSource.Repository> fromCatalog(List<Catalog.PushRule> rules) {
    List<PromotionSource.Repository> out = new ArrayList<>();
    for (Catalog.PushRule r : rules) {
      out.add(new PromotionSource.Repository(ImageReference.registry(r.registryUrl()),
          ImageReference.repository(r.imageName())));
    }
    return out;
  }

  private static List<PromotionSource.Repository> fromLaunchpad(Catalog.Entry e, List<JsonNode> rules) {
    List<PromotionSource.Repository> out = new ArrayList<>();
    for (JsonNode r : rules) {
      String url = r.path("registry_url").asText("");
      String name = r.path("image_name").asText("");
      try {
        out.add(new PromotionSource.Repository(ImageReference.registry(url), ImageReference.repository(name)));
      } catch (InvalidRequestException ex) {
        throw new InvalidRequestException("push rule", "a push rule of " + e.image() + " " + e.seriesName()
            + " (" + url + ", " + name + ") cannot be used: " + ex.getMessage());
      }
    }
    return out;
  }
}
