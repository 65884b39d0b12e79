package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Responses.text;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;

/**
 * Turns the next queued {@link FaultInjector.Rule} that matches a request into what the server does:
 * an answer instead of acting on the request (503, 500, a reset before answering), or a change to
 * the real answer (a reset after acting, a slow and throttled answer), or an answer held until the
 * test releases it.
 */
final class FaultApplier {
  private final FaultInjector faults;

  FaultApplier(FaultInjector faults) {
    this.faults = faults;
  }

  /** The fault the request with operation {@code wsOp} meets; {@link Fault#NONE} when none is queued. */
  Fault take(String wsOp) {
    return take(wsOp, null);
  }

  /** As {@link #take(String)} for a request at {@code path} (below the service root; null when not an API path). */
  Fault take(String wsOp, String path) {
    FaultInjector.Rule rule = faults.take(wsOp, path);
    return rule == null ? Fault.NONE : new Fault(rule);
  }

  /** One fault, applied at the three points of answering a request. */
  static final class Fault {
    static final Fault NONE = new Fault(null);

    private final FaultInjector.Rule rule;

    private Fault(FaultInjector.Rule rule) {
      this.rule = rule;
    }

    /** The fault's name for the journal; null for none. */
    String name() {
      return rule == null ? null : rule.kind().name();
    }

    /** The answer given instead of acting on the request, if this fault is one of those. */
    Optional<MockResponse> instead() {
      if (rule == null) {
        return Optional.empty();
      }
      return switch (rule.kind()) {
        case SERVICE_UNAVAILABLE -> Optional.of(text(503, "Service temporarily unavailable. Please try again later.")
            .setHeader("Retry-After", Math.max(0, rule.delay().toSeconds())).build());
        case SERVER_ERROR -> Optional.of(Responses.oops("An internal error occurred (OOPS).").build());
        case RESET_BEFORE -> Optional.of(
            new MockResponse.Builder().code(200).onResponseStart(new SocketEffect.CloseSocket()).build());
        case ANSWER -> Optional.of(text(rule.status(), rule.text()).build());
        case RESET_AFTER, SLOW, HOLD -> Optional.empty();
      };
    }

    /** Changes the answer to a request that was acted on: a reset, or a delay and a throttled body. */
    MockResponse.Builder shape(MockResponse.Builder answer) {
      if (rule != null && rule.kind() == FaultInjector.Kind.RESET_AFTER) {
        answer.onResponseStart(new SocketEffect.CloseSocket());
      }
      if (rule != null && rule.kind() == FaultInjector.Kind.SLOW) {
        answer.headersDelay(rule.delay().toMillis(), TimeUnit.MILLISECONDS);
        if (rule.bytesPerSecond() > 0) {
          answer.throttleBody(Math.max(1, rule.bytesPerSecond() / 10), 100, TimeUnit.MILLISECONDS);
        }
      }
      return answer;
    }

    /** Called once the request was acted on and recorded: a HOLD waits here for the test. */
    void answered() {
      if (rule != null && rule.kind() == FaultInjector.Kind.HOLD) {
        rule.hold().hold();
      }
    }
  }
}
