package dev.imagebuilder.apt.internal;

import dev.imagebuilder.api.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The check every configured Launchpad or keyserver URL passes. */
final class HttpUrls {
  private HttpUrls() {}

  /**
   * {@code candidate} as an http or https URL with a host and no user information.
   *
   * @param field the configuration key, for messages
   * @param text what the user wrote, for messages
   */
  static URI require(String field, String text, String candidate) {
    URI uri;
    try {
      uri = new URI(candidate);
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(field, "'" + text + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
      throw new InvalidRequestException(field, "'" + text + "' is not an http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw new InvalidRequestException(field, "URL must not carry user information");
    }
    return uri;
  }
}
