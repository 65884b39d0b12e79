package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Launchpad's datetime and timedelta text forms (lazr.restful marshallers). */
public final class LaunchpadTime {
  // Six fractional digits and "+00:00", never "Z": launchpadlib parses exactly this.
  private static final DateTimeFormatter DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'").withZone(ZoneOffset.UTC);

  private LaunchpadTime() {}

  public static String datetime(Instant instant) {
    return instant == null ? null : DATETIME.format(instant);
  }

  /** Python's {@code str(timedelta)}: {@code H:MM:SS} or {@code H:MM:SS.ffffff}. */
  public static String timedelta(Duration duration) {
    if (duration == null) {
      return null;
    }
    long seconds = duration.getSeconds();
    String text = String.format("%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    int micros = duration.getNano() / 1000;
    return micros == 0 ? text : text + String.format(".%06d", micros);
  }
}
