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
    SERVER_ERROR,
    /** The request is acted on, and its answer held until the test releases it. */
    HOLD
  }

  /** One queued fault; {@code wsOp} null matches any request; {@code hold} only for HOLD. */
  record Rule(Kind kind, String wsOp, Duration delay, long bytesPerSecond, AnswerHold hold) {}

  /** An answer held back: the request was acted on, the client waits. */
  public static final class AnswerHold {
    private final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    /** Waits until a request was acted on and its answer is held. */
    public boolean awaitHeld(Duration timeout) throws InterruptedException {
      return held.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Lets the held answer go (to a client that may be gone by then). */
    public void release() {
      released.countDown();
    }

    /** On the server's thread: signals the hold and waits for the release (bounded, so a test that forgets cannot hang the server). */
    void hold() {
      held.countDown();
      try {
        released.await(5, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static final class Entry {
    final Rule rule;
    int remaining;

    Entry(Rule rule, int remaining) {
      this.rule = rule;
      this.remaining = remaining;
    }
  }

  private final List<Entry> entries = new ArrayList<>();
  private final List<AnswerHold> holds = new ArrayList<>();

  public synchronized void add(Kind kind, int times, String wsOp, Duration delay, long bytesPerSecond) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1: " + times);
    }
    entries.add(new Entry(new Rule(kind, wsOp, delay, bytesPerSecond, null), times));
  }

  /** Holds the answer to the next request matching {@code wsOp} (null: any). */
  public synchronized AnswerHold hold(String wsOp) {
    AnswerHold hold = new AnswerHold();
    holds.add(hold);
    entries.add(new Entry(new Rule(Kind.HOLD, wsOp, Duration.ZERO, 0, hold), 1));
    return hold;
  }

  /** Lets every held answer go (the fake is closing). */
  public synchronized void releaseAll() {
    holds.forEach(AnswerHold::release);
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
