package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "upload" retry layer (DESIGN §4.4): a build whose registry upload failed gets
 * {@code scheduleRegistryUpload} again, up to the request's {@code autoRetryUploads} times,
 * with doubling delays; each attempt is counted in the ticket before it is sent, so a resume
 * never exceeds the policy.
 */
final class UploadRetrier {
  private static final Logger LOG = LoggerFactory.getLogger(UploadRetrier.class);

  private final LaunchpadClient client;
  private final JobBook book;

  UploadRetrier(LaunchpadClient client, JobBook book) {
    this.client = client;
    this.book = book;
  }

  /**
   * What to report for {@code t} when a read started at {@code pollStarted} shows its upload
   * failed ({@code failed}): {@code null} for a stale read, the failure when no retry is left,
   * or PUBLISHING with a retry scheduled. Holds the lock.
   */
  TargetStatus uploadFailed(Target t, TargetStatus failed, Instant pollStarted) {
    if (t.staleForUpload(pollStarted)) {
      return null; // read before our scheduleRegistryUpload took effect
    }
    if (t.uploadRefusal != null) {
      // Launchpad refused the last upload for good: the target stays failed with its reason.
      return failed.withError(t.uploadRefusal);
    }
    int allowed = book.request.autoRetryUploads();
    if (t.uploadAttempts >= allowed) {
      return failed;
    }
    if (t.nextUploadAt == null) {
      int attempt = t.uploadAttempts + 1;
      Duration delay = book.settings.uploadRetryDelay(attempt);
      t.nextUploadAt = book.clock.instant().plus(delay);
      book.context.retryScheduled(t.key, "upload", attempt, allowed, delay,
          Objects.requireNonNullElse(failed.errorSummary(), "registry upload failed"));
    }
    // Not terminal while a retry is pending: the build is not over yet.
    return failed.withState(TargetState.PUBLISHING, failed.rawState());
  }

  /** Sends scheduleRegistryUpload for {@code t}, counted and recorded first. */
  CompletableFuture<?> schedule(Target t) {
    URI build;
    int attempt;
    synchronized (book) {
      attempt = t.uploadScheduled();
      build = t.build;
      book.checkpoint(); // the attempt counted before it is made: a resume never exceeds the policy
    }
    LOG.info("scheduling registry upload of {} (attempt {})", build, attempt);
    return client.post(build, "scheduleRegistryUpload", Map.of()).handle((v, failure) -> {
      synchronized (book) {
        t.uploadAnswered(book.clock.instant());
        if (failure == null) {
          book.context.log(t.key, "registry upload scheduled again (attempt " + attempt + ")");
          book.report(t, t.status.withState(TargetState.PUBLISHING, t.status.rawState()));
          return null;
        }
        Throwable e = LaunchpadClient.unwrap(failure);
        if (e instanceof AuthenticationException) {
          book.context.fail(e);
        } else if (e instanceof RemoteServiceException r && r.status() == 400) {
          String text = r.serverText();
          if (text.contains("already in progress") || text.contains("already been uploaded")) {
            book.context.log(t.key, "scheduleRegistryUpload: " + text.strip() + " (nothing to do)");
          } else {
            t.uploadRefusal = text.strip();
            book.report(t, t.status.withState(TargetState.FAILED_TO_PUBLISH, t.status.rawState()).withError(t.uploadRefusal));
          }
        } else {
          // Unknown outcome: the next poll shows whether the upload was scheduled.
          LOG.warn("scheduleRegistryUpload of {} failed: {}", build, e.getMessage());
        }
        return null;
      }
    });
  }
}
