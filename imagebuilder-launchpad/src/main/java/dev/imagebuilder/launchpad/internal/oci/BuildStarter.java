package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.spi.BuildContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a new build: reads each selected recipe and sends its requestBuilds as soon as that
 * recipe is read, not once all are (the last requestBuilds of a hundred recipes then goes out
 * about when the last recipe is read). Once every recipe is read, all targets are declared and
 * the job's poll cycle begins. A transient failure to read a recipe is retried, for that recipe.
 */
final class BuildStarter {
  private static final Logger LOG = LoggerFactory.getLogger(BuildStarter.class);

  private final LaunchpadClient client;
  private final LaunchpadSettings settings;
  private final OciImageRequest request;
  private final OciBuildJob job;
  private final BuildContext context;

  BuildStarter(LaunchpadClient client, LaunchpadSettings settings, OciImageRequest request, OciBuildJob job,
      BuildContext context) {
    this.client = client;
    this.settings = settings;
    this.request = request;
    this.job = job;
    this.context = context;
  }

  void start(List<Catalog.Entry> entries) {
    List<CompletableFuture<RecipeInfo>> all = new ArrayList<>();
    for (Catalog.Entry e : entries) {
      CompletableFuture<RecipeInfo> read = new CompletableFuture<>();
      resolve(e, 1, read);
      all.add(read.thenApply(recipe -> {
        List<String> wanted = OciTargets.wanted(recipe, request.architectures());
        if (!wanted.isEmpty()) {
          job.startRun(recipe, wanted);
        }
        return recipe;
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((v, failure) -> {
      if (failure != null) {
        context.fail(LaunchpadClient.unwrap(failure));
        return;
      }
      List<RecipeInfo> recipes = all.stream().map(CompletableFuture::join).toList();
      OciTargets.Fanout fanout = OciTargets.fanout(recipes, request.architectures());
      if (fanout.targets().isEmpty() && job.book().targets().isEmpty()) {
        context.fail(LaunchpadBackend.nothingToBuild(request, recipes));
        return;
      }
      fanout.notes().forEach(n -> LOG.info("{}: {}", context.buildId(), n));
      job.begin();
    });
  }

  /** Reads one recipe (not its push rules) into {@code into}; transient failures are retried. */
  private void resolve(Catalog.Entry e, int attempt, CompletableFuture<RecipeInfo> into) {
    new RecipeResolver(client).resolve(e, false).whenComplete((recipe, failure) -> {
      if (failure == null) {
        into.complete(recipe);
        return;
      }
      Throwable t = LaunchpadClient.unwrap(failure);
      if (LaunchpadClient.transientFailure(t) && attempt < settings.maxPollFailures() && !context.isClosed()) {
        LOG.warn("{}: reading the recipe of {} {} failed (attempt {}), trying again: {}", context.buildId(),
            e.image(), e.seriesName(), attempt, t.getMessage());
        context.schedule(() -> resolve(e, attempt + 1, into), settings.pollInterval());
      } else {
        into.completeExceptionally(t);
      }
    });
  }
}
