package dev.imagebuilder.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What happens to a build, as a sealed hierarchy fit for an exhaustive {@code switch}. */
public sealed interface BuildEvent {
  String buildId();

  Instant time();

  /** The build was accepted, with the targets known so far. */
  record Submitted(String buildId, Instant time, ImageRequest request, List<TargetStatus> targets)
      implements BuildEvent {
    public Submitted {
      targets = List.copyOf(targets);
    }
  }

  /** A target appeared or changed; {@code previous} is {@code null} for a new target. */
  record TargetStateChanged(String buildId, Instant time, TargetStatus previous, TargetStatus current)
      implements BuildEvent {}

  /**
   * Work on a target advanced.
   *
   * @param fraction from 0 to 1, or a negative number when the total is unknown
   */
  record Progress(String buildId, Instant time, String targetKey, double fraction, String message)
      implements BuildEvent {}

  /**
   * A retry was scheduled.
   *
   * @param action what is retried, such as {@code upload} or {@code build}
   */
  record RetryScheduled(
      String buildId,
      Instant time,
      String targetKey,
      String action,
      int attempt,
      int maxAttempts,
      Duration delay,
      String reason)
      implements BuildEvent {}

  /** A line of output from the work on a target (a build log, a tool's output). */
  record LogLine(String buildId, Instant time, String targetKey, String line) implements BuildEvent {}

  /**
   * The build ended; delivered exactly once per listener.
   *
   * @param result the result, or {@code null} when cancelled or when tracking failed
   * @param failure why tracking failed or was cancelled, or {@code null}
   */
  record Completed(String buildId, Instant time, BuildStatus status, BuildResult result, String failure)
      implements BuildEvent {}
}
