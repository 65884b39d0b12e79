package dev.imagebuilder.core.internal;

import dev.imagebuilder.spi.Configuration;
import java.util.Map;
import java.util.Optional;

/** Configuration from a map, for tests. */
public record MapConfiguration(String scope, Map<String, String> values) implements Configuration {
  public static MapConfiguration http(String... keysAndValues) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return new MapConfiguration("http", Map.copyOf(m));
  }

  @Override
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }
}
