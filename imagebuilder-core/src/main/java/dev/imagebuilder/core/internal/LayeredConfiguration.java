package dev.imagebuilder.core.internal;

import dev.imagebuilder.spi.Configuration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Configuration of one scope: builder values first, then system properties, then the
 * environment (DESIGN section 12).
 */
public final class LayeredConfiguration implements Configuration {
  private final String scope;
  private final Map<String, String> builderValues;
  private final Function<String, String> systemProperties;
  private final Function<String, String> environment;

  /**
   * @param builderValues values given to the builder, keyed {@code <scope>.<key>}
   */
  public LayeredConfiguration(
      String scope,
      Map<String, String> builderValues,
      Function<String, String> systemProperties,
      Function<String, String> environment) {
    this.scope = scope;
    this.builderValues = Map.copyOf(builderValues);
    this.systemProperties = systemProperties;
    this.environment = environment;
  }

  @Override
  public String scope() {
    return scope;
  }

  @Override
  public Optional<String> get(String key) {
    String value = builderValues.get(scope + "." + key);
    if (value == null) {
      value = systemProperties.apply(qualified(key));
    }
    if (value == null) {
      value = environment.apply(environmentName(key));
    }
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }

  @Override
  public Optional<String> environmentVariable(String name) {
    return Optional.ofNullable(environment.apply(name)).filter(v -> !v.isBlank());
  }

  /** The same sources, another scope. */
  public LayeredConfiguration scoped(String otherScope) {
    return new LayeredConfiguration(otherScope, builderValues, systemProperties, environment);
  }

  @Override
  public String toString() {
    // Values may be secrets: show where they come from, never what they are.
    return "Configuration[" + scope + "]";
  }
}
