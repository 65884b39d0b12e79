package dev.imagebuilder.core.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/** How values and keys from a document are shown in error messages: quoted, short, printable. */
final class Texts {
  private static final int MAX_SHOWN = 200;
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");

  private Texts() {}

  /** {@code 'value'}, cut at 200 characters, with control characters escaped. */
  static String quote(String value) {
    return "'" + printable(value, MAX_SHOWN) + "'";
  }

  /** A key as it appears in a field path: escaped so a key cannot forge a log line. */
  static String key(String key) {
    return printable(key, 100);
  }

  /** What a JSON value is, with the value itself: {@code the number 3.5}, {@code a list [1]}. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "the string " + quote(node.textValue());
    }
    if (node.isNumber()) {
      return "the number " + printable(node.asText(), MAX_SHOWN);
    }
    if (node.isBoolean()) {
      return "the boolean " + node.asText();
    }
    if (node.isNull()) {
      return "null";
    }
    String json = printable(node.toString(), MAX_SHOWN);
    return node.isArray() ? "a list " + json : "an object " + json;
  }

  /** True when {@code url} looks like {@code scheme://user[:password]@...}. */
  static boolean hasUserInfo(String url) {
    return USER_INFO.matcher(url).find();
  }

  /** {@code url} with whatever stands between {@code scheme://} and {@code @} replaced by ***. */
  static String withoutUserInfo(String url) {
    return USER_INFO.matcher(url).replaceAll("$1***@");
  }

  private static String printable(String s, int max) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 8);
    for (int i = 0; i < s.length() && i < max; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > max) {
      out.append("...");
    }
    return out.toString();
  }
}
