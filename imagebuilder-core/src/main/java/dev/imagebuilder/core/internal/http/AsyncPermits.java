package dev.imagebuilder.core.internal.http;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A counting semaphore whose waiters are futures, so that waiting for a permit holds no thread.
 * Permits are handed to waiters in arrival order.
 */
final class AsyncPermits {
  private final int limit;
  private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
  private int inUse;

  AsyncPermits(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    this.limit = limit;
  }

  /** Completes once a permit is held; cancelling the future gives up waiting. */
  CompletableFuture<Void> acquire() {
    CompletableFuture<Void> waiter;
    synchronized (this) {
      if (inUse < limit) {
        inUse++;
        return CompletableFuture.completedFuture(null);
      }
      waiter = new CompletableFuture<>();
      waiters.add(waiter);
    }
    waiter.whenComplete((ignored, failure) -> {
      if (waiter.isCancelled()) {
        synchronized (this) {
          waiters.remove(waiter);
        }
      }
    });
    return waiter;
  }

  /** Gives a permit back, to the first waiter still waiting if there is one. */
  void release() {
    while (true) {
      CompletableFuture<Void> next;
      synchronized (this) {
        next = waiters.poll();
        if (next == null) {
          inUse--;
          return;
        }
      }
      // The permit passes to the waiter directly; a waiter that was cancelled meanwhile
      // refuses it and the next one is tried.
      if (next.complete(null)) {
        return;
      }
    }
  }

  synchronized int inUse() {
    return inUse;
  }
}
