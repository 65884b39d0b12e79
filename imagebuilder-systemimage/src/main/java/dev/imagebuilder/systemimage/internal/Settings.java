package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.apt.internal.PpaSettings;
import dev.imagebuilder.spi.Configuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The backend's configuration (scope {@code systemimage}), read and checked once per build.
 * The passphrase is held as a char array and never printed.
 */
public record Settings(
    Path publishDirectory,
    Optional<String> signingKey,
    char[] signingKeyPassphrase,
    Optional<Path> keysDirectory,
    Pattern rootfsPrefix,
    List<String> excludePrefixes,
    String customizer,
    Optional<String> customizerCommand,
    Optional<Path> keyring,
    PpaSettings ppa,
    int xzPreset,
    String publicHost,
    int publicHttpPort,
    int publicHttpsPort,
    Path cacheDirectory,
    Path workDirectory,
    Duration requestTimeout,
    Duration customizeTimeout) {

  public static final String DEFAULT_ROOTFS_PREFIX = "ubuntu|ubports";

  public static Settings from(Configuration c, Path stateDirectory) {
    Path publish = Path.of(c.require("publish-directory").strip());
    String prefix = c.get("rootfs-prefix", DEFAULT_ROOTFS_PREFIX);
    Pattern prefixPattern;
    try {
      prefixPattern = Pattern.compile(prefix);
    } catch (PatternSyntaxException e) {
      throw new InvalidRequestException(c.qualified("rootfs-prefix"),
          "'" + prefix + "' is not a regular expression: " + e.getDescription());
    }
    String customizer = c.get("customizer", "chroot").strip();
    Optional<String> command = c.get("customizer-command").map(String::strip);
    if (customizer.equals("command") && command.isEmpty()) {
      throw new InvalidRequestException(c.qualified("customizer-command"),
          "is required when " + c.qualified("customizer") + " is 'command'");
    }
    int preset = c.integer("xz-preset", 6);
    if (preset < 0 || preset > 9) {
      throw new InvalidRequestException(c.qualified("xz-preset"), "'" + preset + "' is not 0 to 9");
    }
    Path cache = c.path("cache-directory").orElse(stateDirectory.resolve("blobs"));
    Path work = c.path("work-directory").orElse(stateDirectory.resolve("work"));
    return new Settings(publish,
        c.get("signing-key").filter(s -> !s.isBlank()),
        c.get("signing-key-passphrase").map(String::toCharArray).orElse(new char[0]),
        c.path("keys-directory"),
        prefixPattern,
        Arrays.stream(c.get("exclude-prefixes", "keyring,version").split(","))
            .map(String::strip).filter(s -> !s.isEmpty()).toList(),
        customizer, command,
        c.path("keyring"),
        PpaSettings.from(c),
        preset,
        c.get("public-host", "localhost").strip(),
        port(c, "public-http-port", 80),
        port(c, "public-https-port", 443),
        cache, work,
        c.duration("request-timeout", Duration.ofSeconds(60)),
        c.duration("customize-timeout", Duration.ofHours(2)));
  }

  private static int port(Configuration c, String key, int def) {
    int p = c.integer(key, def);
    if (p < 0 || p > 65535) {
      throw new InvalidRequestException(c.qualified(key), "'" + p + "' is not a port (0 disables)");
    }
    return p;
  }

  /** The signing key's source: the configured key, else the KeyTool layout's image-signing key. */
  public Optional<String> signingKeySource() {
    return signingKey.or(() -> keysDirectory.map(d -> d.resolve("secret/image-signing.asc"))
        .filter(java.nio.file.Files::isRegularFile).map(Path::toString));
  }

  @Override
  public String toString() {
    return "Settings[publishDirectory=" + publishDirectory + ", customizer=" + customizer
        + ", keyring=" + keyring.orElse(null) + ", signingKey=" + (signingKey.isPresent() ? "set" : "unset")
        + ", passphrase=" + (signingKeyPassphrase.length > 0 ? "(hidden)" : "unset") + "]";
  }

  // Records compare arrays by identity; nothing relies on Settings equality.
  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
