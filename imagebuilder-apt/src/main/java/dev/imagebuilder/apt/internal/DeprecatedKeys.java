package dev.imagebuilder.apt.internal;

import dev.imagebuilder.spi.Configuration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration keys that were renamed: the old name still works, and saying so is logged once
 * per process for each old name (settings are read for every build; one warning is enough).
 */
public final class DeprecatedKeys {
  private static final Logger LOG = LoggerFactory.getLogger(DeprecatedKeys.class);

  /** The process-wide instance, warning through slf4j. */
  public static final DeprecatedKeys LOGGED = new DeprecatedKeys(LOG::warn);

  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Consumer<String> warnings;

  /** An instance that sends its warnings to {@code warnings}, for tests. */
  DeprecatedKeys(Consumer<String> warnings) {
    this.warnings = warnings;
  }

  /**
   * The value of {@code key}, else of {@code oldKey}. When {@code oldKey} is set, a warning naming
   * both (never the value) is given the first time.
   */
  public Optional<String> get(Configuration config, String key, String oldKey) {
    Optional<String> current = config.get(key);
    Optional<String> old = config.get(oldKey);
    if (old.isPresent() && warned.add(config.qualified(oldKey))) {
      warnings.accept(config.qualified(oldKey) + " (" + config.environmentName(oldKey)
          + ") is deprecated and will be removed; use " + config.qualified(key) + " ("
          + config.environmentName(key) + ")"
          + (current.isPresent() ? ", which is also set and is the one used" : ""));
    }
    return current.or(() -> old);
  }
}
