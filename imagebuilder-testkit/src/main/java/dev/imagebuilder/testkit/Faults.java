package dev.imagebuilder.testkit;

import dev.imagebuilder.testkit.internal.launchpad.FaultInjector;
import dev.imagebuilder.testkit.internal.launchpad.FaultInjector.Kind;
import java.time.Duration;

/**
 * Faults for the next requests, consumed in the order they were added. {@link #on(String)}
 * narrows the following faults to requests with that {@code ws.op} (for example a connection
 * reset after {@code requestBuilds} was acted on), {@link #under(String)} to one resource and
 * what lies below it (for example a recipe's {@code push_rules}); both narrowings combine.
 */
public final class Faults {
  private final FaultInjector injector;
  private final String wsOp;
  private final String path;

  Faults(FaultInjector injector, String wsOp) {
    this(injector, wsOp, null);
  }

  private Faults(FaultInjector injector, String wsOp, String path) {
    this.injector = injector;
    this.wsOp = wsOp;
    this.path = path;
  }

  /** The same faults, but only for requests naming this operation. */
  public Faults on(String wsOp) {
    return new Faults(injector, wsOp, path);
  }

  /**
   * The same faults, but only for requests to {@code path} or below it: a path below the service
   * root such as {@link RecipeHandle#path()}, {@code recipe.path() + "/push_rules"} or
   * {@code recipe.path() + "/+build-request"} (its build requests and their builds collections).
   */
  public Faults under(String path) {
    java.util.Objects.requireNonNull(path, "path");
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.isEmpty()) {
      throw new IllegalArgumentException("path must name a resource below the service root: '" + path + "'");
    }
    return new Faults(injector, wsOp, p.endsWith("/") ? p.substring(0, p.length() - 1) : p);
  }

  /** The next {@code times} requests get 503 with {@code Retry-After} (whole seconds); not acted on. */
  public Faults serviceUnavailable(int times, Duration retryAfter) {
    injector.add(Kind.SERVICE_UNAVAILABLE, times, wsOp, path, retryAfter, 0);
    return this;
  }

  /** The connection of the next {@code times} requests is closed before they are acted on. */
  public Faults resetConnections(int times) {
    injector.add(Kind.RESET_BEFORE, times, wsOp, path, Duration.ZERO, 0);
    return this;
  }

  /**
   * The next {@code times} requests are acted on, then their connection is closed before the
   * answer: the client cannot know whether, for example, its requestBuilds happened.
   */
  public Faults resetAfterProcessing(int times) {
    injector.add(Kind.RESET_AFTER, times, wsOp, path, Duration.ZERO, 0);
    return this;
  }

  /**
   * The next {@code times} answers start after {@code headDelay}, with the body throttled to
   * {@code bytesPerSecond} (0: not throttled).
   */
  public Faults slowResponses(int times, Duration headDelay, long bytesPerSecond) {
    injector.add(Kind.SLOW, times, wsOp, path, headDelay, bytesPerSecond);
    return this;
  }

  /** The next {@code times} requests get 500 with an {@code X-Lazr-OopsId}; not acted on. */
  public Faults serverErrors(int times) {
    injector.add(Kind.SERVER_ERROR, times, wsOp, path, Duration.ZERO, 0);
    return this;
  }

  /**
   * The next {@code times} requests are not acted on and get {@code status} with {@code text} as a
   * plain-text body and no {@code X-Lazr-OopsId}: a refusal in Launchpad's words (400 "An
   * identical build of this OCI recipe is already pending."), or an error from something in front
   * of Launchpad (a proxy's 500 or 503), which a client cannot tell from one after the request
   * was acted on.
   */
  public Faults answer(int times, int status, String text) {
    injector.answer(times, wsOp, path, status, java.util.Objects.requireNonNull(text, "text"));
    return this;
  }

  /**
   * The next request (of this operation) is acted on, and its answer is held until
   * {@link Hold#release()}: for a test that kills the client after Launchpad did the work and
   * before the client heard of it.
   */
  public Hold holdAnswer() {
    FaultInjector.AnswerHold hold = injector.hold(wsOp, path);
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
