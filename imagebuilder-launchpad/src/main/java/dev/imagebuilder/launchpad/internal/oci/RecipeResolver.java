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

/** Reads each selected recipe's processors and push rules: reads only, no side effects. */
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
   * Reads one recipe's processors, and its push rules if {@code pushRules} (a plan shows them; a
   * build reads them later, only if a built image has no upload scheduled). The recipe itself is
   * not read: Launchpad's web service (lazr.restful) serves an entry's collections at
   * {@code <entry>/<name>} and its web page at the same path under the web root, so one read
   * answers everything a build needs, and a 404 on it means there is no such recipe.
   */
  CompletableFuture<RecipeInfo> resolve(Catalog.Entry e, boolean pushRules) {
    URI recipe = root.resolve(e.recipe());
    CompletableFuture<List<String>> processors = client.collection(collectionOf(recipe, "processors"))
        .handle((entries, failure) -> {
          if (failure != null) {
            Throwable t = LaunchpadClient.unwrap(failure);
            if (t instanceof RemoteServiceException r && r.status() == 404) {
              throw new CompletionException(new InvalidRequestException("launchpad.catalog", "the recipe of "
                  + e.image() + " " + e.seriesName() + " (" + recipe + ") does not exist on Launchpad: "
                  + r.serverText(), r));
            }
            throw t instanceof CompletionException c ? c : new CompletionException(t);
          }
          return names(entries);
        });
    CompletableFuture<Integer> rules = pushRules
        ? pushRules(client, recipe)
        : CompletableFuture.completedFuture(RecipeInfo.PUSH_RULES_UNREAD);
    return processors.thenCombine(rules, (p, n) -> new RecipeInfo(e, recipe, webLink(recipe), p, n));
  }

  /**
   * How many push rules {@code recipe} has (-1: hidden from this account). Push rules may be
   * hidden from this account (401/403/404): "unknown" then. Any other failure is the caller's:
   * guessing "unknown" would turn every built-but-unscheduled image into SUCCEEDED for the whole
   * build.
   */
  static CompletableFuture<Integer> pushRules(LaunchpadClient client, URI recipe) {
    return client.collectionSize(collectionOf(recipe, "push_rules")).exceptionally(RecipeResolver::unknownWhenHidden);
  }

  /** The recipe's page: the same path under the web root, or null for a URL outside the service root. */
  URI webLink(URI recipe) {
    String api = root.api().toString();
    String self = recipe.toString();
    return self.startsWith(api) ? root.web().resolve(self.substring(api.length())) : null;
  }

  /** {@code <entry>/<name>}: where lazr.restful serves an entry's collection field {@code name}. */
  static URI collectionOf(URI entry, String name) {
    String s = entry.toString();
    return URI.create((s.endsWith("/") ? s : s + "/") + name);
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
}
