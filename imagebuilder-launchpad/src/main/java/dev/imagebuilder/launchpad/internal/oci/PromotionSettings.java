package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.registry.Promoter;
import dev.imagebuilder.registry.RegistryAuth;
import dev.imagebuilder.spi.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Promotion's configuration (scope {@code launchpad}): {@code registry-auth-file} (else the
 * docker/containers auth files of the environment), {@code registry-allow-insecure},
 * {@code registry-wait-interval} and {@code registry-wait-timeout} (how long to wait for the
 * whole multi-arch {@code _edge} list).
 */
record PromotionSettings(Optional<Path> authFile, boolean allowInsecure, Duration waitInterval, Duration waitTimeout) {
  static final String AUTH_FILE = "registry-auth-file";
  static final String ALLOW_INSECURE = "registry-allow-insecure";
  static final String WAIT_INTERVAL = "registry-wait-interval";
  static final String WAIT_TIMEOUT = "registry-wait-timeout";

  static PromotionSettings from(Configuration c) {
    Optional<Path> file = c.path(AUTH_FILE);
    file.ifPresent(f -> {
      if (!Files.isRegularFile(f)) {
        throw new InvalidRequestException(c.qualified(AUTH_FILE), "'" + f + "' is not a file");
      }
    });
    Duration interval = c.duration(WAIT_INTERVAL, Duration.ofSeconds(30));
    Duration timeout = c.duration(WAIT_TIMEOUT, Duration.ofMinutes(30));
    if (interval.isZero() || interval.isNegative()) {
      throw new InvalidRequestException(c.qualified(WAIT_INTERVAL), "'" + interval + "' must be positive");
    }
    if (timeout.isNegative()) {
      throw new InvalidRequestException(c.qualified(WAIT_TIMEOUT), "'" + timeout + "' must not be negative");
    }
    return new PromotionSettings(file, c.flag(ALLOW_INSECURE, false), interval, timeout);
  }

  Promoter promoter() {
    RegistryAuth auth = authFile.map(RegistryAuth::file).orElseGet(RegistryAuth::fromEnvironment);
    return Promoter.builder().auth(auth).allowInsecure(allowInsecure).build();
  }
}
