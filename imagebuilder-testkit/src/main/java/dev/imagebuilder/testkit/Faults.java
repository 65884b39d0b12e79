package dev.imagebuilder.testkit;

import dev.imagebuilder.testkit.internal.launchpad.FaultInjector;
import dev.imagebuilder.testkit.internal.launchpad.FaultInjector.Kind;
import java.time.Duration;

/**
 * Faults for the next requests, consumed in the order they were added. {@link #on(String)}
 * narrows the following faults to requests with that {@code ws.op} (for example a connection
 * reset after {@code requestBuilds} was acted on).
 */
public final class Faults {
  private final FaultInjector injector;
  private final String wsOp;

  Faults(FaultInjector injector, String wsOp) {
    this.injector = injector;
    this.wsOp = wsOp;
  }

  /** The same faults, but only for requests naming this operation. */
  public Faults on(String wsOp) {
    return new Faults(injector, wsOp);
  }

  /** The next {@code times} requests get 503 with {@code Retry-After} (whole seconds); not acted on. */
  public Faults serviceUnavailable(int times, Duration retryAfter) {
    injector.add(Kind.SERVICE_UNAVAILABLE, times, wsOp, retryAfter, 0);
    return this;
  }

  /** The connection of the next {@code times} requests is closed before they are acted on. */
  public Faults resetConnections(int times) {
    injector.add(Kind.RESET_BEFORE, times, wsOp, Duration.ZERO, 0);
    return this;
  }

  /**
   * The next {@code times} requests are acted on, then their connection is closed before the
   * answer: the client cannot know whether, for example, its requestBuilds happened.
   */
  public Faults resetAfterProcessing(int times) {
    injector.add(Kind.RESET_AFTER, times, wsOp, Duration.ZERO, 0);
    return this;
  }

  /**
   * The next {@code times} answers start after {@code headDelay}, with the body throttled to
   * {@code bytesPerSecond} (0: not throttled).
   */
  public Faults slowResponses(int times, Duration headDelay, long bytesPerSecond) {
    injector.add(Kind.SLOW, times, wsOp, headDelay, bytesPerSecond);
    return this;
  }

  /** The next {@code times} requests get 500 with an {@code X-Lazr-OopsId}; not acted on. */
  public Faults serverErrors(int times) {
    injector.add(Kind.SERVER_ERROR, times, wsOp, Duration.ZERO, 0);
    return this;
  }

  /**
   * The next request (of this operation) is acted on, and its answer is held until
   * {@link Hold#release()}: for a test that kills the client after Launchpad did the work and
   * before the client heard of it.
   */
  public Hold holdAnswer() {
    FaultInjector.AnswerHold hold = injector.hold(wsOp);
    return new Hold() {
      @Override
      public boolean awaitHeld(Duration timeout) throws InterruptedException {
        return hold.awaitHeld(timeout);
      }

      @Override
      public void release() {
        hold.release();
      }
    };
  }

  /** An answer the fake holds back. */
  public interface Hold {
    /** Waits until the request was acted on and its answer is held; false if it did not come in time. */
    boolean awaitHeld(Duration timeout) throws InterruptedException;

    /** Sends the held answer. */
    void release();
  }

  /** Drops every queued fault. */
  public void clear() {
    injector.clear();
  }
}
