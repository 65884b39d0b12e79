package dev.imagebuilder.testkit.internal.launchpad;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

class FaultApplierTest {
  private final FaultInjector faults = new FaultInjector();
  private final FaultApplier applier = new FaultApplier(faults);

  @Test
  void noQueuedFaultLeavesTheAnswerAlone() {
    FaultApplier.Fault fault = applier.take("requestBuilds");

    assertThat(fault).isSameAs(FaultApplier.Fault.NONE);
    assertThat(fault.name()).isNull();
    assertThat(fault.instead()).isEmpty();
    MockResponse.Builder answer = Responses.json(200, null);
    assertThat(fault.shape(answer)).isSameAs(answer);
    fault.answered(); // returns at once
  }

  @Test
  void faultsThatAreNotActedOnAnswerInstead() {
    faults.add(FaultInjector.Kind.SERVICE_UNAVAILABLE, 1, "requestBuilds", Duration.ofSeconds(7), 0);
    faults.add(FaultInjector.Kind.SERVER_ERROR, 1, null, Duration.ZERO, 0);

    assertThat(applier.take("cancel").instead()).as("the first rule is for another operation")
        .hasValueSatisfying(r -> {
          assertThat(r.getCode()).isEqualTo(500);
          assertThat(r.getHeaders().get("X-Lazr-OopsId")).startsWith("OOPS-");
        });
    FaultApplier.Fault unavailable = applier.take("requestBuilds");
    assertThat(unavailable.name()).isEqualTo("SERVICE_UNAVAILABLE");
    assertThat(unavailable.instead()).hasValueSatisfying(r -> {
      assertThat(r.getCode()).isEqualTo(503);
      assertThat(r.getHeaders().get("Retry-After")).isEqualTo("7");
    });
    assertThat(applier.take("requestBuilds")).as("each rule used up").isSameAs(FaultApplier.Fault.NONE);
  }

  @Test
  void faultsThatAreActedOnChangeTheRealAnswer() {
    faults.add(FaultInjector.Kind.RESET_AFTER, 1, null, Duration.ZERO, 0);
    faults.add(FaultInjector.Kind.SLOW, 1, null, Duration.ofMillis(250), 1000);

    FaultApplier.Fault reset = applier.take(null);
    assertThat(reset.name()).isEqualTo("RESET_AFTER");
    assertThat(reset.instead()).isEmpty();
    FaultApplier.Fault slow = applier.take(null);
    assertThat(slow.instead()).isEmpty();
    MockResponse shaped = slow.shape(Responses.json(200, null)).build();
    assertThat(shaped.getHeadersDelayNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
  }

  @Test
  void aHeldAnswerWaitsForTheTestAfterTheRequestWasActedOn() throws Exception {
    FaultInjector.AnswerHold hold = faults.hold("requestBuilds");
    FaultApplier.Fault fault = applier.take("requestBuilds");
    assertThat(fault.name()).isEqualTo("HOLD");
    assertThat(fault.instead()).as("the request is acted on").isEmpty();

    CompletableFuture<Void> answering = CompletableFuture.runAsync(fault::answered);
    assertThat(hold.awaitHeld(Duration.ofSeconds(10))).isTrue();
    assertThat(answering).isNotDone();
    hold.release();

    answering.get(10, TimeUnit.SECONDS);
  }
}
