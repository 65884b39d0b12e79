package dev.imagebuilder.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits in a test until a state comes about, looking at it again and again, and fails when it
 * has not within a bound: for states nothing signals, such as a fake's request journal, a file
 * another process writes, a process that must be gone. Where a future, a latch or a listener
 * says it, wait on that instead; where a fake has a clock, drive the clock.
 */
public final class Await {
  /** The bound of {@link #until(String, BooleanSupplier)}: long, since a loaded machine is slow. */
  public static final Duration DEFAULT_BOUND = Duration.ofSeconds(20);
  private static final long PAUSE_MILLIS = 10;

  private Await() {}

  /** Waits up to {@link #DEFAULT_BOUND} for {@code condition}; {@code what} names it if not. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT_BOUND, condition);
  }

  /**
   * Returns once {@code condition} holds; throws an {@link AssertionError} naming {@code what}
   * once {@code within} has passed without it, or if the waiting thread is interrupted. An
   * exception the condition throws (an assertion on the way, say) ends the wait at once.
   */
  public static void until(String what, Duration within, BooleanSupplier condition) {
    Objects.requireNonNull(what, "what");
    until(() -> what, within, condition);
  }

  /**
   * As {@link #until(String, Duration, BooleanSupplier)}, with {@code what} worked out on failure,
   * so that it can show the state as it was then (the events so far, a log).
   */
  public static void until(Supplier<String> what, Duration within, BooleanSupplier condition) {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not reached within " + within.toMillis() + " ms: " + what.get());
      }
      try {
        // Only the gap between two looks at the state: the state, not this pause, decides.
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what.get(), e);
      }
    }
  }
}
