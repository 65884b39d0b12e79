package dev.imagebuilder.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
  private final Instant now = Instant.parse("2026-11-22T02:00:00Z");

  @Test
  void doublesFromTheBaseUpToTheCap() {
    assertThat(backoff.exponential(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.exponential(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.exponential(4)).isEqualTo(Duration.ofSeconds(8));
    assertThat(backoff.exponential(7)).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.exponential(1000)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void jitterStaysBetweenHalfAndAllOfTheDelay() {
    for (int i = 0; i < 200; i++) {
      Duration d = backoff.delayBefore(3, Optional.empty(), now);
      assertThat(d).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }
  }

  @Test
  void retryAfterInSecondsOrAsADateWinsButIsCapped() {
    assertThat(backoff.delayBefore(1, Optional.of("7"), now)).isEqualTo(Duration.ofSeconds(7));
    assertThat(backoff.delayBefore(1, Optional.of("Sun, 22 Nov 2026 02:00:30 GMT"), now))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(backoff.delayBefore(1, Optional.of("86400"), now))
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.delayBefore(1, Optional.of("Sun, 22 Nov 2026 01:00:00 GMT"), now))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void ignoresARetryAfterItCannotRead() {
    assertThat(Backoff.parseRetryAfter("soon", now)).isEmpty();
    assertThat(backoff.delayBefore(1, Optional.of("soon"), now))
        .isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
  }
}
