package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.ImageBuildException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Blocks on one asynchronous step at a time (a download, a process) so that cancelling the build
 * cancels that step: for a process, the runner then kills its whole tree, appliance included.
 */
final class Cancellation {
  private volatile boolean cancelled;
  private CompletableFuture<?> current;

  /** Waits for {@code step}; cancelled work surfaces as {@link CancelledWorkException}. */
  <T> T await(CompletableFuture<T> step, String what) {
    synchronized (this) {
      if (cancelled) {
        step.cancel(true);
        throw new CancelledWorkException("cancelled before " + what);
      }
      current = step;
    }
    try {
      return step.get();
    } catch (InterruptedException e) {
      step.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancelledWorkException("interrupted while " + what);
    } catch (CancellationException e) {
      throw new CancelledWorkException("cancelled while " + what);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CancellationException || cancelled) {
        throw new CancelledWorkException("cancelled while " + what);
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new ImageBuildException(what + " failed: " + cause, cause);
    } finally {
      synchronized (this) {
        current = null;
      }
    }
  }

  /** Cancels the running step and every later one. Idempotent. */
  void cancel() {
    CompletableFuture<?> running;
    synchronized (this) {
      cancelled = true;
      running = current;
    }
    if (running != null) {
      running.cancel(true);
    }
  }

  boolean isCancelled() {
    return cancelled;
  }

  /** Throws when cancelled: a check between steps that have no future of their own. */
  void check(String what) {
    if (cancelled || Thread.currentThread().isInterrupted()) {
      throw new CancelledWorkException("cancelled before " + what);
    }
  }
}
