package dev.imagebuilder.launchpad.internal.client;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * At most {@code max} asynchronous calls in flight; the rest wait in order. Nothing blocks: a
 * waiting call starts when one in flight completes.
 */
public final class AsyncLimiter {
  /** Calls started by completions on this thread, run in a loop rather than by recursion. */
  private static final ThreadLocal<ArrayDeque<Runnable>> TRAMPOLINE = new ThreadLocal<>();

  private final int max;
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  private int running;

  public AsyncLimiter(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    this.max = max;
  }

  public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start = () -> {
      CompletableFuture<T> f;
      try {
        f = call.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete((v, e) -> {
        release();
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(v);
        }
      });
    };
    boolean now;
    synchronized (this) {
      now = running < max;
      if (now) {
        running++;
      } else {
        waiting.add(start);
      }
    }
    if (now) {
      start.run();
    }
    return result;
  }

  /** Calls in flight, for tests and benchmarks. */
  public synchronized int inFlight() {
    return running;
  }

  private void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        running--;
      }
    }
    if (next != null) {
      trampolined(next);
    }
  }

  /**
   * Calls that complete at once (a closed or failing transport) would otherwise start the next
   * waiting call from inside the previous one's completion, thousands of frames deep.
   */
  private static void trampolined(Runnable r) {
    ArrayDeque<Runnable> queue = TRAMPOLINE.get();
    if (queue != null) {
      queue.add(r);
      return;
    }
    queue = new ArrayDeque<>();
    TRAMPOLINE.set(queue);
    try {
      queue.add(r);
      for (Runnable x = queue.poll(); x != null; x = queue.poll()) {
        x.run();
      }
    } finally {
      TRAMPOLINE.remove();
    }
  }
}
