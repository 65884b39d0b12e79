package dev.imagebuilder.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/** {@link Configuration#of}: a fixed map, shown without its values. */
final class MapConfiguration implements Configuration {
  private final String scope;
  private final Map<String, String> values;

  MapConfiguration(String scope, Map<String, String> values) {
    this.scope = Objects.requireNonNull(scope, "scope");
    this.values = Map.copyOf(Objects.requireNonNull(values, "values"));
  }

  @Override
  public String scope() {
    return scope;
  }

  @Override
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(Objects.requireNonNull(key, "key")));
  }

  /** A fixed map reads no environment (the contract of {@link Configuration#of}). */
  @Override
  public Optional<String> environmentVariable(String name) {
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "Configuration[" + scope + ": " + new TreeSet<>(values.keySet()) + "]";
  }
}
