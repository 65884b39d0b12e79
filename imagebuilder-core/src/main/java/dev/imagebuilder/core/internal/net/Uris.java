package dev.imagebuilder.core.internal.net;

import java.net.URI;
import java.net.URISyntaxException;

/** URIs as they may appear in logs, messages and exceptions. */
public final class Uris {
  private Uris() {}

  /**
   * The URI without user info, query or fragment: query strings and user info may carry tokens,
   * and the scheme, host and path are enough to say where a request went.
   */
  public static URI withoutSecrets(URI uri) {
    if (uri == null || uri.isOpaque()) {
      return uri;
    }
    if (uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null) {
      return uri;
    }
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
    } catch (URISyntaxException e) {
      // Cannot happen for parts taken from a valid URI; keep only what is surely harmless.
      return URI.create(uri.getScheme() + ":/");
    }
  }

  /** The path alone, for debug logs. */
  public static String pathOf(URI uri) {
    String path = uri.getRawPath();
    return path == null || path.isEmpty() ? "/" : path;
  }
}
