package dev.imagebuilder.launchpad.internal.client;

import dev.imagebuilder.api.RemoteServiceException;
import java.net.URI;
import java.time.Duration;

/**
 * Launchpad answered with an error. {@link #serverText()} is Launchpad's own {@code text/plain}
 * message (what scripts match on); the message adds the OOPS id of server errors, which
 * Launchpad's admins need to find the failure.
 */
public class LaunchpadApiException extends RemoteServiceException {
  private static final long serialVersionUID = 1L;

  private final String oopsId;
  private final Duration retryAfter;

  public LaunchpadApiException(
      int status, String method, URI uri, String serverText, String oopsId, Duration retryAfter) {
    super(status, method, uri, serverText);
    this.oopsId = oopsId;
    this.retryAfter = retryAfter;
  }

  /** Launchpad's {@code X-Lazr-OopsId}, or {@code null}. */
  public String oopsId() {
    return oopsId;
  }

  /** The server's {@code Retry-After}, or {@code null}. */
  public Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public String getMessage() {
    String m = super.getMessage();
    if (retryAfter != null) {
      m += " (Retry-After: " + retryAfter.toSeconds() + "s)";
    }
    return oopsId == null ? m : m + " (Launchpad OOPS " + oopsId + ")";
  }
}
