package dev.imagebuilder.amqp;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that tells nobody when it changes: the worker's count of requests it
 * holds, the broker's queues, a handle's ticket. What does tell (the fake backend's builds and
 * calls, a handle's result and events, the broker's deliveries) is awaited through that instead.
 */
final class Conditions {
  private static final Duration RECHECK = Duration.ofMillis(20);

  private Conditions() {}

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(RECHECK.toMillis()); // nothing notifies: check again, until the deadline
    }
  }
}
