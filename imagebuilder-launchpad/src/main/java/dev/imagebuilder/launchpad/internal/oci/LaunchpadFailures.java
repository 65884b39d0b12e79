package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.launchpad.internal.client.LaunchpadApiException;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed Launchpad call means for the build: which requestBuilds failures certainly made
 * no build request, and when failed reads end the build (too many in a row, or not transient).
 */
final class LaunchpadFailures {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchpadFailures.class);
  private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  /** What a failed requestBuilds left on Launchpad. */
  enum RequestBuildsFailure {
    /** The credentials were refused: the build fails, nothing was made. */
    AUTHENTICATION,
    /** Certainly no build request was made: it may be asked again. */
    NOT_MADE,
    /** Launchpad refused it (4xx): the run failed. */
    REFUSED,
    /** No answer: a build request may or may not exist. */
    UNKNOWN
  }

  private final JobBook book;

  LaunchpadFailures(JobBook book) {
    this.book = book;
  }

  static RequestBuildsFailure ofRequestBuilds(Throwable t) {
    if (t instanceof AuthenticationException) {
      return RequestBuildsFailure.AUTHENTICATION;
    }
    // Nothing reached Launchpad (connection refused), or Launchpad itself answered with an error
    // (503, or a 500 OOPS), which rolls its transaction back: asking again cannot make a second
    // build request. (502/504, and a 500 without an OOPS id, come from proxies in front: unknown.)
    if (LaunchpadClient.certainlyNotSent(t) || isStatus(t, 503) || launchpadOops(t)) {
      return RequestBuildsFailure.NOT_MADE;
    }
    if (t instanceof RemoteServiceException r && r.status() >= 400 && r.status() < 500) {
      return RequestBuildsFailure.REFUSED;
    }
    return RequestBuildsFailure.UNKNOWN;
  }

  /** Launchpad's Retry-After on {@code t}, capped at an hour, or {@code null}. */
  static Duration retryAfter(Throwable t) {
    if (t instanceof LaunchpadApiException lp && lp.retryAfter() != null) {
      return lp.retryAfter().compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : lp.retryAfter();
    }
    return null;
  }

  /** A 500 that Launchpad's own error handling answered: it carries {@code X-Lazr-OopsId}. */
  static boolean launchpadOops(Throwable t) {
    return t instanceof LaunchpadApiException lp && lp.status() == 500 && lp.oopsId() != null;
  }

  static boolean isStatus(Throwable t, int status) {
    return t instanceof RemoteServiceException r && r.status() == status;
  }

  /** A read about {@code run} failed: transient failures are counted, others end the build. Holds the lock. */
  void readFailed(RecipeRun run, Throwable failure) {
    if (book.ended()) {
      return;
    }
    Throwable t = LaunchpadClient.unwrap(failure);
    if (LaunchpadClient.transientFailure(t)) {
      transientFailure(run, t);
    } else {
      book.context.fail(t);
    }
  }

  /** Counts a transient failure of a call about {@code run}; too many in a row end the build. Holds the lock. */
  void transientFailure(RecipeRun run, Throwable t) {
    if (book.ended()) {
      return; // the build ended (or the builder closed) while this call was in flight
    }
    run.consecutiveFailures++;
    LOG.warn("Launchpad call for {} failed ({} in a row): {}", run.recipe, run.consecutiveFailures, t.getMessage());
    if (run.consecutiveFailures >= book.settings.maxPollFailures()) {
      book.context.fail(t);
    }
  }
}
