package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.apt.internal.PpaSettings;
import dev.imagebuilder.spi.Configuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guestfs backend's configuration (scope {@code guestfs}), read and checked once per build so
 * that a bad value is rejected before anything is downloaded.
 *
 * @param memoryMb appliance memory in MiB, or 0 for libguestfs's default
 * @param outputName the output file's base name, or empty for a name derived from the base image
 * @param ppa the PPA keys shared with the touch backend ({@code ppa-url-template}, {@code ppa-key-file},
 *     {@code launchpad-api}, {@code keyserver})
 */
public record GuestfsSettings(
    String virtCustomize,
    String qemuImg,
    Path outputDirectory,
    Optional<String> outputName,
    OutputFormat outputFormat,
    Path cacheDirectory,
    Duration timeout,
    int memoryMb,
    PpaSettings ppa,
    Optional<String> backendSettings) {

  public static final String VIRT_CUSTOMIZE = "virt-customize";
  public static final String QEMU_IMG = "qemu-img";
  public static final String OUTPUT_DIRECTORY = "output-directory";
  public static final String OUTPUT_NAME = "output-name";
  public static final String OUTPUT_FORMAT = "output-format";
  public static final String CACHE_DIRECTORY = "cache-directory";
  public static final String TIMEOUT = "timeout";
  public static final String MEMORY = "memory";
  public static final String BACKEND_SETTINGS = "backend-settings";

  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  private static final Pattern MEMORY_VALUE = Pattern.compile("(\\d+)\\s*([mMgG])?i?[bB]?");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,199}");

  public static GuestfsSettings read(Configuration config, Path stateDirectory) {
    Optional<String> outputName = config.get(OUTPUT_NAME).map(String::strip);
    outputName.ifPresent(name -> {
      if (!FILE_NAME.matcher(name).matches()) {
        throw new InvalidRequestException(config.qualified(OUTPUT_NAME), "'" + name
            + "' is not a plain file name (letters, digits, '.', '_', '+', '-'; no directories)");
      }
    });
    Duration timeout = config.duration(TIMEOUT, DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative()) {
      throw new InvalidRequestException(config.qualified(TIMEOUT), "'" + timeout + "' must be positive");
    }
    return new GuestfsSettings(
        config.get(VIRT_CUSTOMIZE, "virt-customize").strip(),
        config.get(QEMU_IMG, "qemu-img").strip(),
        config.path(OUTPUT_DIRECTORY).orElse(stateDirectory.resolve("images")),
        outputName,
        config.get(OUTPUT_FORMAT).map(v -> OutputFormat.parse(config.qualified(OUTPUT_FORMAT), v))
            .orElse(OutputFormat.QCOW2),
        config.path(CACHE_DIRECTORY).orElse(stateDirectory.resolve("cache")),
        timeout,
        config.get(MEMORY).map(v -> memoryMb(config.qualified(MEMORY), v)).orElse(0),
        PpaSettings.from(config),
        config.get(BACKEND_SETTINGS).map(String::strip).filter(s -> !s.isEmpty()));
  }

  /** Megabytes from {@code 2048}, {@code 2048M} or {@code 2G}. */
  static int memoryMb(String field, String text) {
    Matcher m = MEMORY_VALUE.matcher(text.strip());
    if (!m.matches()) {
      throw new InvalidRequestException(field,
          "'" + text + "' is not an amount of memory (such as 2048, 2048M or 2G)");
    }
    long n = Long.parseLong(m.group(1));
    if (m.group(2) != null && m.group(2).toLowerCase(Locale.ROOT).equals("g")) {
      n *= 1024;
    }
    // libguestfs refuses appliances under 256 MiB ("memsize must be >= 256").
    if (n < 256 || n > 1 << 20) {
      throw new InvalidRequestException(field, "'" + text + "' must be between 256M and 1024G");
    }
    return (int) n;
  }
}
