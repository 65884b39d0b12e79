package dev.imagebuilder.core.internal.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt: the server's {@code Retry-After} when it gave one,
 * else exponential backoff from a base delay with jitter; either way never more than the cap.
 */
record Backoff(Duration baseDelay, Duration maxDelay) {

  /**
   * The delay before retry number {@code retry} (1 for the first retry).
   *
   * @param retryAfter the {@code Retry-After} header of the answer that is retried, if any
   */
  Duration delayBefore(int retry, Optional<String> retryAfter, Instant now) {
    Optional<Duration> asked = retryAfter.flatMap(value -> parseRetryAfter(value, now));
    if (asked.isPresent()) {
      return min(asked.get(), maxDelay);
    }
    return jittered(exponential(retry));
  }

  /** base * 2^(retry-1), capped; computed without overflow for any retry count. */
  Duration exponential(int retry) {
    int shift = Math.max(0, Math.min(retry - 1, 30));
    long capMillis = maxDelay.toMillis();
    long baseMillis = baseDelay.toMillis();
    long millis = baseMillis > (capMillis >> shift) ? capMillis : baseMillis << shift;
    return Duration.ofMillis(Math.min(millis, capMillis));
  }

  // Between half and all of the delay, so that many clients turned away together do not all
  // come back at the same instant.
  private static Duration jittered(Duration delay) {
    long millis = delay.toMillis();
    long half = millis / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(millis - half + 1));
  }

  /** {@code Retry-After} as delay-seconds or an HTTP-date; empty when it is neither. */
  static Optional<Duration> parseRetryAfter(String value, Instant now) {
    String v = value.strip();
    if (v.matches("\\d{1,10}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration until = Duration.between(now, at);
      return Optional.of(until.isNegative() ? Duration.ZERO : until);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
