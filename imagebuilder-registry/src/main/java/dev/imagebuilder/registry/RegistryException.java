package dev.imagebuilder.registry;

import dev.imagebuilder.api.RemoteServiceException;
import java.net.URI;

/**
 * A registry answered with an error. {@link #code()} is the distribution spec's error code
 * ({@code DENIED}, {@code MANIFEST_UNKNOWN}, {@code UNAUTHORIZED}, ...; {@code UNKNOWN} when the
 * body had none) and {@link #serverText()} the registry's own message.
 */
public class RegistryException extends RemoteServiceException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public RegistryException(int status, String method, URI uri, String code, String serverText) {
    super(status, method, uri, serverText);
    this.code = code == null ? "UNKNOWN" : code;
  }

  public String code() {
    return code;
  }
}
