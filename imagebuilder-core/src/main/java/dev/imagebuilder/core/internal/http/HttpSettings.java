package dev.imagebuilder.core.internal.http;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.spi.Configuration;
import java.time.Duration;

/**
 * The HTTP layer's settings, read from the configuration scope {@code http} (system properties
 * {@code imagebuilder.http.<key>}, environment {@code IMAGEBUILDER_HTTP_<KEY>}).
 */
public record HttpSettings(
    Duration connectTimeout,
    Duration requestTimeout,
    int maxConcurrency,
    int maxRetries,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    boolean allowInsecure) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_CONCURRENCY = 16;
  public static final int DEFAULT_MAX_RETRIES = 5;
  public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofSeconds(1);
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(60);

  public static HttpSettings defaults() {
    return new HttpSettings(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BASE_DELAY,
        DEFAULT_RETRY_MAX_DELAY, false);
  }

  /** Reads every key, rejecting bad values with the key's full name and the value. */
  public static HttpSettings from(Configuration c) {
    return new HttpSettings(
        positive(c, "connect-timeout", c.duration("connect-timeout", DEFAULT_CONNECT_TIMEOUT)),
        positive(c, "request-timeout", c.duration("request-timeout", DEFAULT_REQUEST_TIMEOUT)),
        atLeast(c, "max-concurrency", c.integer("max-concurrency", DEFAULT_MAX_CONCURRENCY), 1),
        atLeast(c, "max-retries", c.integer("max-retries", DEFAULT_MAX_RETRIES), 0),
        positive(c, "retry-base-delay", c.duration("retry-base-delay", DEFAULT_RETRY_BASE_DELAY)),
        positive(c, "retry-max-delay", c.duration("retry-max-delay", DEFAULT_RETRY_MAX_DELAY)),
        c.flag("allow-insecure", false));
  }

  private static Duration positive(Configuration c, String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new InvalidRequestException(c.qualified(key), "'" + value + "' must be positive");
    }
    return value;
  }

  private static int atLeast(Configuration c, String key, int value, int min) {
    if (value < min) {
      throw new InvalidRequestException(c.qualified(key), "'" + value + "' must be at least " + min);
    }
    return value;
  }
}
