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
    HOLD,
    /** A given status and plain-text body, without an OOPS id; the request is not acted on. */
    ANSWER
  }

  /**
   * One queued fault. {@code wsOp} null matches any operation; {@code path} (below the service
   * root) null matches any path, else that resource and everything below it. {@code hold} only for
   * HOLD; {@code status} and {@code text} only for ANSWER.
   */
  record Rule(Kind kind, String wsOp, String path, Duration delay, long bytesPerSecond, AnswerHold hold,
      int status, String text) {
    boolean matches(String requestOp, String requestPath) {
      return (wsOp == null || wsOp.equals(requestOp))
          && (path == null || requestPath != null && (requestPath.equals(path) || requestPath.startsWith(path + "/")));
    }
  }

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

  public void add(Kind kind, int times, String wsOp, Duration delay, long bytesPerSecond) {
    add(kind, times, wsOp, null, delay, bytesPerSecond);
  }

  /** As {@link #add(Kind, int, String, Duration, long)}, only for {@code path} and below (null: any). */
  public synchronized void add(Kind kind, int times, String wsOp, String path, Duration delay, long bytesPerSecond) {
    checkTimes(times);
    entries.add(new Entry(new Rule(kind, wsOp, path, delay, bytesPerSecond, null, 0, null), times));
  }

  /** The next {@code times} matching requests are answered {@code status} with {@code text}, not acted on. */
  public synchronized void answer(int times, String wsOp, String path, int status, String text) {
    checkTimes(times);
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be an HTTP status (100-599): " + status);
    }
    entries.add(new Entry(new Rule(Kind.ANSWER, wsOp, path, Duration.ZERO, 0, null, status, text), times));
  }

  private static void checkTimes(int times) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1: " + times);
    }
  }

  /** Holds the answer to the next request matching {@code wsOp} (null: any). */
  public AnswerHold hold(String wsOp) {
    return hold(wsOp, null);
  }

  /** Holds the answer to the next request matching {@code wsOp} and {@code path} (null: any). */
  public synchronized AnswerHold hold(String wsOp, String path) {
    AnswerHold hold = new AnswerHold();
    holds.add(hold);
    entries.add(new Entry(new Rule(Kind.HOLD, wsOp, path, Duration.ZERO, 0, hold, 0, null), 1));
    return hold;
  }

  /** Lets every held answer go (the fake is closing). */
  public synchronized void releaseAll() {
    holds.forEach(AnswerHold::release);
  }

  public synchronized void clear() {
    entries.clear();
  }

  Rule take(String wsOp) {
    return take(wsOp, null);
  }

  /** The first queued rule for a request naming {@code wsOp} at {@code path} (below the service root, or null). */
  synchronized Rule take(String wsOp, String path) {
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.rule.matches(wsOp, path)) {
        if (--e.remaining == 0) {
          it.remove();
        }
        return e.rule;
      }
    }
    return null;
  }
}
