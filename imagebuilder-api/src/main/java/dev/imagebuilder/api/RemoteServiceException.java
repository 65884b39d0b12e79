package dev.imagebuilder.api;

import java.net.URI;

/**
 * A remote service answered with an error, or could not be reached after the retries allowed.
 * Carries the HTTP status (0 when there was no answer), the method and URI (never credentials),
 * and the server's own text, which callers may match on.
 */
public class RemoteServiceException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String method;
  private final URI uri;
  private final String serverText;

  public RemoteServiceException(int status, String method, URI uri, String serverText) {
    this(status, method, uri, serverText, null);
  }

  public RemoteServiceException(
      int status, String method, URI uri, String serverText, Throwable cause) {
    super(describe(status, method, uri, serverText), cause);
    this.status = status;
    this.method = method;
    this.uri = uri;
    this.serverText = serverText == null ? "" : serverText;
  }

  /** The HTTP status, or 0 when the server never answered. */
  public int status() {
    return status;
  }

  public String method() {
    return method;
  }

  public URI uri() {
    return uri;
  }

  /** The server's text (for Launchpad, the {@code text/plain} error body). */
  public String serverText() {
    return serverText;
  }

  private static String describe(int status, String method, URI uri, String text) {
    String where = method + " " + redact(uri);
    String what = status == 0 ? "no answer" : "HTTP " + status;
    String body = text == null || text.isBlank() ? "" : ": " + abbreviate(text.strip(), 500);
    return where + " failed with " + what + body;
  }

  private static String redact(URI uri) {
    if (uri == null) {
      return "?";
    }
    // Query strings may carry tokens; the path is enough to say where.
    String s = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    return uri.getRawUserInfo() == null ? s : s.replace(uri.getRawUserInfo() + "@", "");
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
