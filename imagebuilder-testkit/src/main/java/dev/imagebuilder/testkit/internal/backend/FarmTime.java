package dev.imagebuilder.testkit.internal.backend;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The fake farm's time: a fixed start that only {@link #advance} moves (tests decide when
 * anything happens), or the wall clock plus whatever was advanced (builds that run by themselves).
 */
final class FarmTime {
  private final Clock base;
  private final boolean realTime;
  private final Instant start;
  private Duration offset = Duration.ZERO;

  FarmTime(Clock base, boolean realTime) {
    this.base = base;
    this.realTime = realTime;
    this.start = base.instant();
  }

  synchronized Instant now() {
    return (realTime ? base.instant() : start).plus(offset);
  }

  synchronized void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("cannot move the fake backend's clock back: " + by);
    }
    offset = offset.plus(by);
  }
}
