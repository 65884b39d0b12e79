package dev.imagebuilder.cli.internal;

import java.time.Duration;

/** Durations as people write them: 2s, 1m30s, 2h5m. */
final class Durations {
  private Durations() {}

  static String human(Duration d) {
    if (d == null) {
      return "?";
    }
    long ms = d.toMillis();
    if (ms > 0 && ms < 1000) {
      return ms + "ms";
    }
    long s = d.toSeconds();
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
