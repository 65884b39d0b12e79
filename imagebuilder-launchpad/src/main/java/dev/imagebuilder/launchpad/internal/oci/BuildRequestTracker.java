package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's requestBuilds and its build request until it leaves Pending: Completed (its builds
 * exist), Failed, or, when requestBuilds got no answer, unconfirmed. The intent of each
 * requestBuilds is on disk before it is sent (the caller records it), and its answer before
 * anything depends on it.
 */
final class BuildRequestTracker {
  private static final Logger LOG = LoggerFactory.getLogger(BuildRequestTracker.class);

  private final LaunchpadClient client;
  private final JobBook book;
  private final LaunchpadFailures failures;

  BuildRequestTracker(LaunchpadClient client, JobBook book, LaunchpadFailures failures) {
    this.client = client;
    this.book = book;
    this.failures = failures;
  }

  /**
   * Sends the requestBuilds of {@code run}, already recorded as REQUESTING; completes with true
   * once the build request exists (and its answer is recorded).
   */
  CompletableFuture<Boolean> request(RecipeRun run) {
    LOG.info("requesting builds of {} for build {}", run.recipe, book.context.buildId());
    // Known to a cancel before the call goes out: a cancel arriving while it is in flight waits
    // for its answer (the request to watch) instead of finding nothing to wait for.
    CompletableFuture<Boolean> answered = new CompletableFuture<>();
    synchronized (book) {
      run.requesting = answered;
    }
    client.postFactory(run.recipe, "requestBuilds", Map.of()).handle((location, failure) -> {
      synchronized (book) {
        if (failure == null) {
          run.requested(location);
          // Launchpad's job has not run yet: the request is Pending for a while, so reading it
          // now would answer nothing new. The first read is one interval later.
          run.read(true, book.clock.instant(), book.settings.pollInterval(), book.settings.maxPollInterval());
          // The answer, on disk before anything (a poll, a cancel, the ticket) depends on it.
          book.checkpoint();
          for (Target t : run.targets.values()) {
            book.context.log(t.key, "build request " + location);
          }
          return true;
        }
        run.busy = false;
        Runnable report = answered(run, LaunchpadClient.unwrap(failure));
        book.checkpoint(); // what became of it, on disk before the targets (and the build's end) show it
        report.run();
        return false;
      }
    }).whenComplete((made, failure) -> {
      if (failure != null) {
        answered.completeExceptionally(failure);
      } else {
        answered.complete(made);
      }
    });
    return answered;
  }

  /**
   * Records in {@code run} what a requestBuilds that failed with {@code t} leaves, and returns the
   * target reports that follow from it; holds the lock.
   */
  private Runnable answered(RecipeRun run, Throwable t) {
    switch (LaunchpadFailures.ofRequestBuilds(t)) {
      case AUTHENTICATION -> {
        run.notRequested(null);
        book.context.fail(t);
      }
      case NOT_MADE -> {
        Duration wait = LaunchpadFailures.retryAfter(t);
        run.notRequested(wait == null ? null : book.clock.instant().plus(wait));
        failures.transientFailure(run, t);
      }
      case REFUSED -> {
        RemoteServiceException r = (RemoteServiceException) t;
        run.failed(r.serverText());
        return () -> book.failRun(run, "requestBuilds refused (HTTP " + r.status() + ")", r.serverText());
      }
      case UNKNOWN -> {
        run.unconfirmed("requestBuilds got no answer (" + t.getMessage() + ")");
        return () -> {
          for (Target target : run.targets.values()) {
            book.report(target, JobState.unconfirmed(run, target.status));
          }
        };
      }
    }
    return () -> { };
  }

  /**
   * Reads the build request of {@code run} (conditionally: 304 while it has not changed);
   * completes with true once it is Completed.
   */
  CompletableFuture<Boolean> poll(RecipeRun run) {
    String etag;
    synchronized (book) {
      run.busy = true;
      etag = run.requestEtag;
    }
    return client.getIfChanged(run.buildRequest, etag).handle((answer, failure) -> {
      synchronized (book) {
        run.busy = false;
        if (failure != null) {
          failures.readFailed(run, failure);
          return false;
        }
        run.consecutiveFailures = 0;
        run.read(answer.isPresent(), book.clock.instant(), book.settings.pollInterval(), book.settings.maxPollInterval());
        if (answer.isEmpty()) {
          run.stillPending(); // 304: still Pending
          return false;
        }
        JsonNode json = answer.get();
        run.requestEtag = json.path("http_etag").asText(null);
        String status = json.path("status").asText("");
        switch (status) {
          case "Completed" -> {
            run.completed();
            return true;
          }
          case "Failed" -> {
            String message = json.path("error_message").asText("");
            book.failRun(run, "Build request Failed", message.isEmpty() ? "the build request Failed" : message);
            return false;
          }
          default -> {
            run.stillPending();
            for (Target t : run.targets.values()) {
              book.report(t, t.status.withState(TargetState.QUEUED, "Build request " + (status.isEmpty() ? "?" : status)));
            }
            return false;
          }
        }
      }
    });
  }
}
