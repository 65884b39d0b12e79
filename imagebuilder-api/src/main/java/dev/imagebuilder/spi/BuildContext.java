package dev.imagebuilder.spi;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * What a backend reports one build through, and schedules its work with. Thread-safe. The core
 * turns reports into events, decides completion, and stops every scheduled task when the build
 * ends or is cancelled.
 */
public interface BuildContext {
  String buildId();

  ImageRequest request();

  /**
   * Declares the build's targets (its fan-out), replacing any declared before. The build cannot
   * complete until targets were declared; it completes once every declared target is terminal.
   */
  void declareTargets(List<TargetStatus> targets);

  /** Reports a target's new snapshot (matched by key); unchanged snapshots are ignored. */
  void update(TargetStatus target);

  /** Reports progress on a target; {@code fraction} from 0 to 1, or negative if unknown. */
  void progress(String targetKey, double fraction, String message);

  /** Reports a line of output from the work on a target. */
  void log(String targetKey, String line);

  /** Reports that a retry was scheduled. */
  void retryScheduled(
      String targetKey, String action, int attempt, int maxAttempts, Duration delay, String reason);

  /**
   * Records {@code state} (what {@link BuildJob#state()} would return now) in the build's ticket
   * and stores the ticket in every journal before returning. Call it before each call that
   * creates remote work, with the intent in the state, and again once its answer is known,
   * before anything depends on that answer. Journals see the states in the order of the calls,
   * so call it where the state is consistent (under the job's own lock, say).
   *
   * @throws dev.imagebuilder.api.ImageBuildException when a journal could not store the ticket;
   *     the build has then already failed, and the remote call must not be made
   */
  void checkpoint(Map<String, Object> state);

  /** Tracking itself failed: the build ends with an error. */
  void fail(Throwable cause);

  /**
   * Runs a short, non-blocking task on the polling scheduler after {@code delay}. An exception
   * from the task fails the build.
   */
  Future<?> schedule(Runnable task, Duration delay);

  /**
   * Runs a task that may block (downloads, processes, synchronous calls) on the shared worker
   * pool. An exception from the task fails the build. Cancellation interrupts it.
   */
  Future<?> execute(Runnable task);

  /** True once the build was cancelled or ended; long tasks check it between steps. */
  boolean isClosed();
}
