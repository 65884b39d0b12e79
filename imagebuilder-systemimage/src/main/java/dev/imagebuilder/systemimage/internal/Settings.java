package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.apt.internal.PpaSettings;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.systemimage.internal.customize.CommandLine;
import dev.imagebuilder.systemimage.internal.protocol.RemoteNames;
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
    Optional<List<String>> customizerCommand,
    Optional<Path> keyring,
    PpaSettings ppa,
    int xzPreset,
    Optional<PublicAddress> publicAddress,
    int fullImages,
    List<String> deltaBases,
    Path cacheDirectory,
    Path workDirectory,
    Duration requestTimeout,
    Duration customizeTimeout) {

  /** Full images kept per device, as the reference server's example {@code fullcount}. */
  public static final int DEFAULT_FULL_IMAGES = 10;
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
    Optional<List<String>> command = c.get("customizer-command")
        .map(v -> CommandLine.parse(c.qualified("customizer-command"), v));
    if (customizer.equals("command") && command.isEmpty()) {
      throw new InvalidRequestException(c.qualified("customizer-command"),
          "is required when " + c.qualified("customizer") + " is 'command'");
    }
    int preset = c.integer("xz-preset", 6);
    if (preset < 0 || preset > 9) {
      throw new InvalidRequestException(c.qualified("xz-preset"), "'" + preset + "' is not 0 to 9");
    }
    int fullImages = c.integer("full-images", DEFAULT_FULL_IMAGES);
    if (fullImages < 0) {
      throw new InvalidRequestException(c.qualified("full-images"), "'" + fullImages
          + "' is negative (0 keeps every full image)");
    }
    List<String> deltaBases = Arrays.stream(c.get("delta-bases", "").split(","))
        .map(String::strip).filter(s -> !s.isEmpty()).toList();
    for (String base : deltaBases) {
      boolean version = base.chars().allMatch(Character::isDigit) && base.length() <= 5;
      if (!version && !RemoteNames.isChannel(base)) {
        throw new InvalidRequestException(c.qualified("delta-bases"), "'" + base
            + "' is neither a version number nor a channel name");
      }
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
        PublicAddress.from(c),
        fullImages,
        deltaBases,
        cache, work,
        c.duration("request-timeout", Duration.ofSeconds(60)),
        c.duration("customize-timeout", Duration.ofHours(2)));
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
