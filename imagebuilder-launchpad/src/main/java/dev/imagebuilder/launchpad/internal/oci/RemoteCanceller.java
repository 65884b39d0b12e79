package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels builds on Launchpad: every open build of a cancelled job (and the builds of requests
 * still Pending, once they exist), and builds of architectures nobody asked for. {@code cancel}
 * is a no-op on a build that cannot be cancelled, so sending one again is always safe.
 */
final class RemoteCanceller {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteCanceller.class);

  private final LaunchpadClient client;
  private final JobBook book;

  RemoteCanceller(LaunchpadClient client, JobBook book) {
    this.client = client;
    this.book = book;
  }

  /** Cancels the whole build (recorded first) and waits until every cancel was sent. */
  void cancelAll() {
    List<URI> builds = new ArrayList<>();
    List<RecipeRun> pendingRuns = new ArrayList<>();
    synchronized (book) {
      book.cancelRequested(true);
      try {
        book.checkpoint();
      } catch (RuntimeException e) {
        // A cancel is idempotent and harmless: sent even when it could not be recorded first.
        LOG.warn("build {}: cancelling without recording it first: {}", book.context.buildId(), e.getMessage());
      }
      for (RecipeRun run : book.runs()) {
        for (Target t : run.targets.values()) {
          if (t.build != null && !t.status.state().isTerminal()) {
            builds.add(t.build);
            book.cancelSent(List.of(t.build));
          }
        }
        if (run.phase == RecipeRun.Phase.PENDING || run.phase == RecipeRun.Phase.REQUESTING) {
          pendingRuns.add(run);
        }
      }
    }
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (URI b : builds) {
      calls.add(cancelBuild(b));
    }
    // Builds of a request still Pending do not exist yet: wait a little for them, then cancel.
    Duration wait = book.settings.pollInterval().multipliedBy(4);
    wait = wait.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30)
        : wait.compareTo(Duration.ofMinutes(2)) > 0 ? Duration.ofMinutes(2) : wait;
    Instant giveUp = book.clock.instant().plus(wait);
    for (RecipeRun run : pendingRuns) {
      // A requestBuilds still in flight is waited for: its answer names the request to watch.
      CompletableFuture<?> answered;
      synchronized (book) {
        answered = run.requesting != null && run.buildRequest == null ? run.requesting : CompletableFuture.completedFuture(null);
      }
      calls.add(answered.handle((v, e) -> null).thenCompose(v -> {
        URI request;
        synchronized (book) {
          request = run.buildRequest;
        }
        return request == null ? CompletableFuture.completedFuture(null) : cancelWhenCreated(request, giveUp);
      }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * Cancels builds of architectures nobody asked for, already recorded in the ticket by the
   * caller; a transient failure lets the next poll try again.
   */
  CompletableFuture<Void> cancelUnwanted(List<URI> unwanted) {
    List<CompletableFuture<?>> cancels = new ArrayList<>();
    for (URI b : unwanted) {
      LOG.info("cancelling {}: its architecture was not requested", b);
      cancels.add(client.post(b, "cancel", Map.of()).exceptionally(e -> {
        LOG.warn("could not cancel unrequested build {}: {}", b, LaunchpadClient.unwrap(e).getMessage());
        if (LaunchpadClient.transientFailure(e)) {
          book.cancelNotSent(b);
        }
        return null;
      }));
    }
    return CompletableFuture.allOf(cancels.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<?> cancelBuild(URI build) {
    LOG.info("cancelling {}", build);
    return client.post(build, "cancel", Map.of())
        .handle((v, e) -> e == null || !LaunchpadClient.transientFailure(e)
            ? CompletableFuture.completedFuture(e)
            : client.post(build, "cancel", Map.of()).handle((v2, e2) -> e2))
        .thenCompose(f -> f)
        .thenAccept(e -> {
          if (e != null) {
            LOG.warn("could not cancel {}: {}", build, LaunchpadClient.unwrap(e).getMessage());
          }
        });
  }

  private CompletableFuture<Void> cancelWhenCreated(URI buildRequest, Instant giveUp) {
    return client.get(buildRequest).<Void>thenCompose(json -> {
      String status = json.path("status").asText("");
      if ("Completed".equals(status)) {
        return client.collection(URI.create(buildRequest + "/builds")).thenCompose(entries -> {
          List<CompletableFuture<?>> calls = new ArrayList<>();
          for (JsonNode b : entries) {
            if (!BuildStateMapping.map(b, false).state().isTerminal()) {
              calls.add(cancelBuild(URI.create(b.path("self_link").asText())));
            }
          }
          return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
        });
      }
      if (!"Pending".equals(status) || book.clock.instant().isAfter(giveUp)) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS))
          .thenCompose(v -> cancelWhenCreated(buildRequest, giveUp));
    }).exceptionally(e -> {
      LOG.warn("could not cancel the builds of {}: {}", buildRequest, LaunchpadClient.unwrap(e).getMessage());
      return null;
    });
  }
}
