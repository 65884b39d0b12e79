package dev.imagebuilder.systemimage.internal.protocol;

import dev.imagebuilder.api.IntegrityException;
import java.util.regex.Pattern;

/**
 * Device and channel names as a remote {@code channels.json} gives them. We use them as
 * directory names, target keys and labels, and print them, so they get the same rules as the
 * names a request may hold: a device is one segment of letters, digits and {@code . _ + -}; a
 * channel is such segments joined by {@code /} (e.g. {@code 20.04/arm64/android9plus/stable}).
 */
public final class RemoteNames {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");
  private static final int MAX_CHANNEL = 255;

  private RemoteNames() {}

  public static boolean isDevice(String name) {
    return name != null && SEGMENT.matcher(name).matches();
  }

  public static boolean isChannel(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_CHANNEL) {
      return false;
    }
    for (String segment : name.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches()) {
        return false;
      }
    }
    return true;
  }

  /** The channel name, or an error naming where it was found and showing it escaped. */
  public static String requireChannel(String where, String name) {
    if (!isChannel(name)) {
      throw new IntegrityException(where + ": '" + Printable.escape(name, 200)
          + "' is not a usable channel name (segments of letters, digits, '.', '_', '+', '-'"
          + " joined by '/')");
    }
    return name;
  }
}
