package dev.imagebuilder.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted build, followed to a definite end. Thread-safe.
 *
 * <p>{@link #result()} completes normally once every target is terminal, with a
 * {@link BuildResult} listing each target (partial failure is a normal result). It completes
 * exceptionally only when tracking itself failed, or on cancellation.
 */
public interface BuildHandle {
  /** A unique id for this build. */
  String id();

  ImageRequest request();

  /** The name of the backend serving this build. */
  String backend();

  BuildStatus status();

  /** The current snapshot of every target. */
  List<TargetStatus> targets();

  /**
   * The build's outcome. The future's {@code cancel(..)} does what {@link #cancel()} does;
   * stages derived from it ({@code thenApply}, ...) do not forward cancellation. Stages that
   * are not {@code ...Async} may run on the engine's polling thread that saw the end: give work
   * that blocks an executor ({@code thenAcceptAsync(.., executor)}).
   */
  CompletableFuture<BuildResult> result();

  /**
   * Waits for the end.
   *
   * @throws BuildCancelledException if the build was cancelled
   * @throws ImageBuildException if tracking failed
   */
  BuildResult await();

  /**
   * Waits at most {@code timeout}. Waiting never cancels.
   *
   * @throws BuildTimeoutException if the build has not ended in time; it goes on
   */
  BuildResult await(Duration timeout);

  /**
   * Builds the failed targets again, in a new handle; successes are kept. A build is retried in
   * place where the backend allows it, a failed upload is scheduled again.
   *
   * @throws IllegalStateException if the build has not ended, or nothing failed
   */
  BuildHandle retry();

  /**
   * Builds the named targets again, in a new handle: any target that ended without succeeding,
   * {@link TargetState#UNCONFIRMED} ones included (which {@link #retry()} leaves alone).
   *
   * @throws IllegalStateException if the build has not ended
   * @throws InvalidRequestException naming a key that is not a target of this build, or one that
   *     succeeded
   */
  BuildHandle retry(java.util.Set<String> targetKeys);

  /**
   * Cancels: stops local tracking and pending retries and asks the remote system to cancel.
   * Best-effort and idempotent. The returned future completes when the remote cancel was sent.
   */
  CompletableFuture<Void> cancel();

  /** The ticket to {@code resume} this build from, as of now. */
  Ticket ticket();

  /**
   * Adds a listener. A listener added after the end still receives the
   * {@link BuildEvent.Completed} event.
   */
  BuildListener.Subscription subscribe(BuildListener listener);
}
