package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Faults queued by a test, consumed by the next matching requests in order. */
public final class FaultInjector {
  /** What happens to a request hit by a fault. */
  public enum Kind {
    /** 503 with Retry-After; the request is not acted on. */
    SERVICE_UNAVAILABLE,
    /** The connection is closed without an answer; the request is not acted on. */
    RESET_BEFORE,
    /** The request is acted on, then the connection is closed without an answer. */
    RESET_AFTER,
    /** The answer is delayed and its body throttled. */
    SLOW,
    /** 500 with an OOPS id; the request is not acted on. */
    SERVER_ERROR
  }

  /** One queued fault; {@code wsOp} null matches any request. */
  record Rule(Kind kind, String wsOp, Duration delay, long bytesPerSecond) {}

  private static final class Entry {
    final Rule rule;
    int remaining;

    Entry(Rule rule, int remaining) {
      this.rule = rule;
      this.remaining = remaining;
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  public synchronized void add(Kind kind, int times, String wsOp, Duration delay, long bytesPerSecond) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1: " + times);
    }
    entries.add(new Entry(new Rule(kind, wsOp, delay, bytesPerSecond), times));
  }

  public synchronized void clear() {
    entries.clear();
  }

  synchronized Rule take(String wsOp) {
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.rule.wsOp() == null || e.rule.wsOp().equals(wsOp)) {
        if (--e.remaining == 0) {
          it.remove();
        }
        return e.rule;
      }
    }
    return null;
  }
}
