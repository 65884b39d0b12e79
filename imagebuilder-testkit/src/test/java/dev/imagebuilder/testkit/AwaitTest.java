package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void returnsOnceTheStateComesAbout() throws Exception {
    CountDownLatch looked = new CountDownLatch(3);
    AtomicInteger state = new AtomicInteger();
    CompletableFuture<Void> changer = CompletableFuture.runAsync(() -> {
      try {
        if (looked.await(10, TimeUnit.SECONDS)) {
          state.set(1);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    Await.until("the state", () -> {
      looked.countDown(); // the state changes only after three looks: the wait must go on
      return state.get() == 1;
    });

    assertThat(looked.getCount()).isZero();
    changer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void failsNamingWhatItWaitedForOnceTheBoundHasPassed() {
    AtomicInteger looks = new AtomicInteger();

    assertThatThrownBy(() -> Await.until("the moon", Duration.ofMillis(50), () -> looks.incrementAndGet() < 0))
        .isInstanceOf(AssertionError.class)
        .hasMessage("not reached within 50 ms: the moon");
    assertThat(looks.get()).isGreaterThan(1);
  }

  @Test
  void aDescriptionWorkedOutOnFailureShowsTheStateThen() {
    AtomicInteger looks = new AtomicInteger();

    assertThatThrownBy(() -> Await.until(() -> "the moon after " + looks.get() + " looks", Duration.ofMillis(50),
        () -> looks.incrementAndGet() < 0))
        .isInstanceOf(AssertionError.class)
        .satisfies(e -> assertThat(e.getMessage()).isEqualTo("not reached within 50 ms: the moon after "
            + looks.get() + " looks"));
  }

  @Test
  void anAssertionInTheConditionEndsTheWaitAtOnce() {
    assertThatThrownBy(() -> Await.until("never", () -> {
      assertThat("the process").as("still alive").isEqualTo("alive");
      return false;
    })).isInstanceOf(AssertionError.class).hasMessageContaining("still alive");
  }

  @Test
  void anInterruptedWaitFailsAndKeepsTheInterrupt() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.until("never", () -> false))
          .isInstanceOf(AssertionError.class).hasMessage("interrupted while waiting for: never");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
