package dev.imagebuilder.launchpad.internal.client;

import dev.imagebuilder.api.AuthenticationException;
import java.net.URI;
import java.util.Locale;

/** Launchpad refused the credentials (401); the message says what to do about it. */
public class LaunchpadAuthenticationException extends AuthenticationException {
  private static final long serialVersionUID = 1L;

  private final String hint;

  public LaunchpadAuthenticationException(
      int status, String method, URI uri, String serverText, boolean anonymous) {
    super(status, method, uri, serverText);
    this.hint = hint(serverText, anonymous);
  }

  public String hint() {
    return hint;
  }

  @Override
  public String getMessage() {
    return super.getMessage() + " -- " + hint;
  }

  static String hint(String text, boolean anonymous) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (anonymous) {
      return "no Launchpad credentials are configured and anonymous access is read-only: set"
          + " launchpad.credentials-file (see 'image-builder login') or launchpad.consumer-key,"
          + " launchpad.access-token and launchpad.access-secret";
    }
    if (t.startsWith("expired token") || t.startsWith("invalid token")
        || t.startsWith("unknown access token") || t.startsWith("unauthorized token")) {
      return "the Launchpad access token is expired, revoked or unknown: run 'image-builder login'"
          + " to authorize a new one and point launchpad.credentials-file at it";
    }
    if (t.startsWith("invalid signature") || t.startsWith("unknown consumer")) {
      return "the Launchpad credentials do not match (consumer key or access secret):"
          + " check launchpad.credentials-file or run 'image-builder login' again";
    }
    return "the Launchpad account behind these credentials may not do this"
        + " (OCI recipes are built by members of the recipe's owner team)";
  }
}
