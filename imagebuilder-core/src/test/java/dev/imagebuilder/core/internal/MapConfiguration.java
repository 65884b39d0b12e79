package dev.imagebuilder.core.internal;

import dev.imagebuilder.spi.Configuration;
import java.util.HashMap;
import java.util.Map;

/** The {@code http} scope's configuration from keys and values, for tests. */
public final class MapConfiguration {
  private MapConfiguration() {}

  /** {@code http("max-retries", "3", "retry-base-delay", "10ms")}. */
  public static Configuration http(String... keysAndValues) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      values.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Configuration.of("http", values);
  }
}
