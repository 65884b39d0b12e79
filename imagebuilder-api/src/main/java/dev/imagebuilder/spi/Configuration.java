package dev.imagebuilder.spi;

import dev.imagebuilder.api.InvalidRequestException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of one backend. A key such as {@code poll-interval} is looked up in the values
 * given to the builder, then the system property {@code imagebuilder.<backend>.poll-interval},
 * then the environment variable {@code IMAGEBUILDER_<BACKEND>_POLL_INTERVAL}.
 */
public interface Configuration {
  /** The backend these keys belong to. */
  String scope();

  Optional<String> get(String key);

  default String require(String key) {
    return get(key).orElseThrow(() -> new InvalidRequestException(qualified(key),
        "is not configured (set the system property imagebuilder." + scope() + "." + key
            + " or the environment variable " + environmentName(key) + ")"));
  }

  default String get(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  /** A duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, a bare number of seconds, or ISO-8601 ({@code PT5M}). */
  default Duration duration(String key, Duration defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return parseDuration(qualified(key), value.get());
  }

  default int integer(String key, int defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.get().strip());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(qualified(key), "'" + value.get() + "' is not a whole number");
    }
  }

  default boolean flag(String key, boolean defaultValue) {
    Optional<String> value = get(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    return switch (value.get().strip().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new InvalidRequestException(qualified(key),
          "'" + value.get() + "' is not true or false");
    };
  }

  default Optional<Path> path(String key) {
    return get(key).map(v -> Path.of(v.strip()));
  }

  /**
   * A variable of the environment this configuration reads (the builder's, which tests may
   * replace), for settings other tools define: {@code OS_CLOUD}, {@code HOME}. Blank is absent.
   */
  default Optional<String> environmentVariable(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
  }

  /** The system property name of a key. */
  default String qualified(String key) {
    return "imagebuilder." + scope() + "." + key;
  }

  /** The environment variable name of a key. */
  default String environmentName(String key) {
    return ("IMAGEBUILDER_" + scope() + "_" + key)
        .toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
  }

  /**
   * Configuration from a fixed map of keys (without the {@code imagebuilder.<scope>.} prefix),
   * for tests and for callers that hold their settings themselves. No system property or
   * environment variable is consulted. The map is copied; its {@code toString()} shows the scope
   * and the keys, never the values (they may be secrets).
   *
   * @throws NullPointerException when the scope, the map or a key or value in it is null
   */
  static Configuration of(String scope, Map<String, String> values) {
    return new MapConfiguration(scope, values);
  }

  /** Parses the duration forms {@link #duration} accepts, naming {@code field} when it fails. */
  static Duration parseDuration(String field, String text) {
    return Durations.parse(field, text);
  }
}
