package dev.imagebuilder.cli.internal;

import java.time.Duration;

/** Durations as people write them: 2s, 1m30s, 2h5m; and the durations given on the command line. */
final class Durations {
  /** The longest wait, interval or deadline the command takes: longer is surely a mistake. */
  static final Duration MAX = Duration.ofDays(365);

  private Durations() {}

  /**
   * A duration option's value ({@code 30s}, {@code 5m}, {@code PT2H}, ...), more than zero and at
   * most {@code max}; anything else is a usage error naming the option and the value, found
   * before anything is submitted (a deadline past the end of time once failed only afterwards).
   */
  static Duration parse(String option, String text, Duration max) {
    Duration d;
    try {
      d = dev.imagebuilder.spi.Configuration.parseDuration(option, text);
    } catch (dev.imagebuilder.api.InvalidRequestException | ArithmeticException | java.time.DateTimeException e) {
      throw new UsageException(option + ": '" + text + "' is not a duration (such as 500ms, 30s, 5m, 2h or PT5M)");
    }
    if (d.isZero() || d.isNegative()) {
      throw new UsageException(option + ": '" + text + "' must be more than zero");
    }
    if (d.compareTo(max) > 0) {
      throw new UsageException(option + ": '" + text + "' is too long (at most " + human(max) + ")");
    }
    return d;
  }

  static String human(Duration d) {
    if (d == null) {
      return "?";
    }
    long ms = d.toMillis();
    if (ms > 0 && ms < 1000) {
      return ms + "ms";
    }
    long s = d.toSeconds();
    if (s >= 86400 && s % 86400 == 0) {
      return s / 86400 + "d";
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    StringBuilder sb = new StringBuilder();
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (sec > 0 || sb.length() == 0) {
      sb.append(sec).append('s');
    }
    return sb.toString();
  }
}
