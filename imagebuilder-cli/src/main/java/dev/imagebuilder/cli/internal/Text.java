package dev.imagebuilder.cli.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one function every text from outside (values given, server answers, file names, build
 * states) passes through before it reaches the terminal: control characters are shown escaped
 * rather than acted on by the terminal, and the user information of URLs is redacted, so that
 * {@code http://user:secret@host/} never prints its password.
 */
final class Text {
  /** scheme://userinfo@ ... : the user information ends at the first '@' before any '/', '?' or '#'. */
  private static final Pattern USER_INFO =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/?#@\\s]*)@");
  /** How much of a server's answer a one-line message keeps. */
  static final int BRIEF = 240;

  private Text() {}

  /** {@code text} fit for a terminal: URLs without user info, control characters escaped. */
  static String clean(String text) {
    if (text == null) {
      return "";
    }
    String redacted = redact(text);
    StringBuilder sb = null;
    for (int i = 0; i < redacted.length(); i++) {
      char c = redacted.charAt(i);
      if (isControl(c)) {
        if (sb == null) {
          sb = new StringBuilder(redacted.length() + 8).append(redacted, 0, i);
        }
        sb.append(switch (c) {
          case '\n' -> "\\n";
          case '\r' -> "\\r";
          case '\t' -> "\\t";
          default -> String.format("\\x%02x", (int) c);
        });
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? redacted : sb.toString();
  }

  /**
   * {@code text} as one short line: {@link #clean}ed, its whitespace runs (line breaks included)
   * made single spaces, and cut to {@link #BRIEF} characters, so that an error page a server sent
   * does not fill the terminal.
   */
  static String brief(String text) {
    if (text == null) {
      return "";
    }
    String oneLine = redact(text).replaceAll("\\s+", " ").strip();
    if (oneLine.length() > BRIEF) {
      oneLine = oneLine.substring(0, BRIEF - 3) + "...";
    }
    return clean(oneLine);
  }

  /** URLs with their user information replaced by {@code <redacted>}. */
  static String redact(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    Matcher m = USER_INFO.matcher(text);
    // Already redacted ("***", as the amqp module writes it) stays as it is.
    return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)
        + (r.group(2).matches("\\*+|<redacted>") ? r.group(2) : "<redacted>") + "@"));
  }

  /** C0 and C1 control characters and DEL; also the bidirectional overrides that reorder text. */
  static boolean isControl(char c) {
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }
}
