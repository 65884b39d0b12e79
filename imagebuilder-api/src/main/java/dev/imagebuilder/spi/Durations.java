package dev.imagebuilder.spi;

import dev.imagebuilder.api.InvalidRequestException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration forms configuration accepts: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 * {@code 1d}, a bare number of seconds, or ISO-8601. Kept out of {@link Configuration} so that
 * its pattern is not a public constant of the SPI.
 */
final class Durations {
  private static final Pattern SHORT_FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private Durations() {}

  static Duration parse(String field, String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("p")) {
      try {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (java.time.format.DateTimeParseException e) {
        throw new InvalidRequestException(field, "'" + text + "' is not a duration");
      }
    }
    Matcher m = SHORT_FORM.matcher(s);
    if (!m.matches()) {
      throw new InvalidRequestException(field,
          "'" + text + "' is not a duration (such as 500ms, 30s, 5m, 2h or PT5M)");
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    try {
      long n = Long.parseLong(m.group(1));
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofSeconds(n);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      // More digits than a long holds, or more days than a Duration does.
      throw new InvalidRequestException(field, "'" + text + "' is too long a duration");
    }
  }
}
