package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The build farm's time: a fixed start that only {@link #advance} moves (tests), or the wall clock
 * plus whatever was advanced (real-time demos).
 */
public final class FarmClock {
  private final Clock base;
  private final boolean realTime;
  private final Instant start;
  private Duration offset = Duration.ZERO;

  public FarmClock(Clock base, boolean realTime) {
    this.base = base;
    this.realTime = realTime;
    this.start = base.instant();
  }

  public synchronized Instant now() {
    return (realTime ? base.instant() : start).plus(offset);
  }

  public synchronized void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("cannot move the build farm clock back: " + by);
    }
    offset = offset.plus(by);
  }

  public boolean realTime() {
    return realTime;
  }
}
