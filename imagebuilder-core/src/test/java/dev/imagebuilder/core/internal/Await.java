package dev.imagebuilder.core.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The core's tests waiting for a state nothing signals (a fake's counters, a process that must be
 * gone): looks at it until it holds, fails naming it after {@code within}. The test kit's
 * {@code Await} does the same for the other modules; the core cannot depend on the test kit.
 */
public final class Await {
  private Await() {}

  public static void until(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not reached within " + within.toMillis() + " ms: " + what);
      }
      try {
        // Only the gap between two looks at the state: the state, not this pause, decides.
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what, e);
      }
    }
  }
}
