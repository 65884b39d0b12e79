package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.launchpad.internal.client.ServiceRoot;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Reads each selected recipe, its processors and its push rules: reads only, no side effects. */
final class RecipeResolver {
  private final LaunchpadClient client;
  private final ServiceRoot root;

  RecipeResolver(LaunchpadClient client) {
    this.client = client;
    this.root = client.root();
  }

  CompletableFuture<List<RecipeInfo>> resolve(List<Catalog.Entry> entries) {
    List<CompletableFuture<RecipeInfo>> all = new ArrayList<>();
    for (Catalog.Entry e : entries) {
      all.add(resolve(e, true));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Reads one recipe and its processors, and its push rules if {@code pushRules} (a plan shows
   * them; a build reads them later, only if a built image has no upload scheduled).
   */
  CompletableFuture<RecipeInfo> resolve(Catalog.Entry e, boolean pushRules) {
    URI recipe = root.resolve(e.recipe());
    return client.get(recipe).handle((json, failure) -> {
      if (failure != null) {
        Throwable t = LaunchpadClient.unwrap(failure);
        if (t instanceof RemoteServiceException r && r.status() == 404) {
          throw new CompletionException(new InvalidRequestException("launchpad.catalog", "the recipe of "
              + e.image() + " " + e.seriesName() + " (" + recipe + ") does not exist on Launchpad: "
              + r.serverText(), r));
        }
        throw new CompletionException(t);
      }
      return json;
    }).thenCompose(json -> {
      URI self = link(json, "self_link", recipe);
      URI web = link(json, "web_link", null);
      CompletableFuture<List<String>> processors = json.hasNonNull("processors_collection_link")
          ? client.collection(URI.create(json.get("processors_collection_link").asText()))
              .thenApply(RecipeResolver::names)
          : CompletableFuture.completedFuture(List.of());
      CompletableFuture<Integer> rules = !pushRules ? CompletableFuture.completedFuture(RecipeInfo.PUSH_RULES_UNREAD)
          : json.hasNonNull("push_rules_collection_link")
          ? client.collectionSize(URI.create(json.get("push_rules_collection_link").asText()))
              // Push rules may be hidden from this account (401/403/404): "unknown" then. Any other
              // failure is the caller's: guessing "unknown" would turn every built-but-unscheduled
              // image into SUCCEEDED for the whole build.
              .exceptionally(RecipeResolver::unknownWhenHidden)
          : CompletableFuture.completedFuture(-1);
      return processors.thenCombine(rules, (p, n) -> new RecipeInfo(e, self, web, p, n));
    });
  }

  /** How many push rules {@code recipe} has (-1: hidden from this account). */
  static CompletableFuture<Integer> pushRules(LaunchpadClient client, URI recipe) {
    return client.get(recipe).thenCompose(json -> json.hasNonNull("push_rules_collection_link")
        ? client.collectionSize(URI.create(json.get("push_rules_collection_link").asText()))
            .exceptionally(RecipeResolver::unknownWhenHidden)
        : CompletableFuture.completedFuture(-1));
  }

  private static int unknownWhenHidden(Throwable failure) {
    Throwable t = LaunchpadClient.unwrap(failure);
    if (t instanceof RemoteServiceException r && (r.status() == 401 || r.status() == 403 || r.status() == 404)) {
      return -1;
    }
    throw t instanceof CompletionException c ? c : new CompletionException(t);
  }

  static List<String> names(List<JsonNode> processors) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : processors) {
      String name = p.path("name").asText(null);
      if (name != null) {
        out.add(name);
      }
    }
    return out;
  }

  private static URI link(JsonNode json, String field, URI fallback) {
    JsonNode v = json.get(field);
    return v != null && v.isTextual() ? URI.create(v.asText()) : fallback;
  }
}
