package dev.imagebuilder.testkit.internal.launchpad;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parameters of an {@code Authorization: OAuth k="v", ...} header, percent-decoded. */
final class OAuthHeader {
  private static final Pattern PARAM = Pattern.compile("([A-Za-z_.]+)\\s*=\\s*\"([^\"]*)\"");

  private OAuthHeader() {}

  /** The parameters, or null when the header is not an OAuth header. */
  static Map<String, String> parse(String header) {
    if (header == null || !header.regionMatches(true, 0, "OAuth ", 0, 6)) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    Matcher m = PARAM.matcher(header.substring(6));
    while (m.find()) {
      params.put(m.group(1), URLDecoder.decode(m.group(2).replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    return params;
  }
}
