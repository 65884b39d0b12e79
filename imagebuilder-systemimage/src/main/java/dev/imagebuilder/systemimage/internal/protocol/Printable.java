package dev.imagebuilder.systemimage.internal.protocol;

/**
 * Text that came from a remote server, made safe to print: control characters (C0, DEL, C1) and
 * the Unicode line and direction-override marks are written as {@code \\uXXXX}. Without this, an
 * ESC in a device name or an error body would reach every terminal and log that shows it.
 */
public final class Printable {
  private Printable() {}

  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (unsafe(c)) {
        if (sb == null) {
          sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        sb.append(String.format("\\u%04x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? text : sb.toString();
  }

  /** Escapes the text and cuts it to {@code max} characters. */
  public static String escape(String text, int max) {
    String shown = text != null && text.length() > max ? text.substring(0, max) + "..." : text;
    return escape(shown);
  }

  private static boolean unsafe(char c) {
    return c < 0x20 && c != '\t' || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }
}
