package dev.imagebuilder.launchpad.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {
  @Test
  void neverMoreInFlightThanTheLimitAndAllComplete() {
    AsyncLimiter limiter = new AsyncLimiter(3);
    List<CompletableFuture<Integer>> pending = new ArrayList<>();
    AtomicInteger maxSeen = new AtomicInteger();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      results.add(limiter.submit(() -> {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        synchronized (pending) {
          pending.add(f);
        }
        maxSeen.accumulateAndGet(limiter.inFlight(), Math::max);
        return f.thenApply(v -> n);
      }));
    }
    while (true) {
      CompletableFuture<Integer> next;
      synchronized (pending) {
        next = pending.isEmpty() ? null : pending.remove(0);
      }
      if (next == null) {
        break;
      }
      next.complete(0);
    }
    assertThat(maxSeen.get()).isEqualTo(3);
    assertThat(results).allSatisfy(f -> assertThat(f).isDone());
    assertThat(results.get(19).join()).isEqualTo(19);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void callsFailingAtOnceDoNotRecurseThroughTheQueue() {
    // Regression: a closed transport fails every call synchronously; each completion started the
    // next waiting call from inside itself, one stack frame chain per queued call.
    AsyncLimiter limiter = new AsyncLimiter(1);
    CompletableFuture<Void> gate = new CompletableFuture<>();
    limiter.submit(() -> gate);
    List<CompletableFuture<Void>> queued = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      queued.add(limiter.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("closed"))));
    }
    gate.complete(null);
    assertThat(queued).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
    assertThat(limiter.inFlight()).isZero();
  }
}
