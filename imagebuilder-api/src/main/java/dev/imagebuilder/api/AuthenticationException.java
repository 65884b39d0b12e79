package dev.imagebuilder.api;

import java.net.URI;

/** The remote service refused the credentials (missing, wrong, expired or unauthorized). */
public class AuthenticationException extends RemoteServiceException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(int status, String method, URI uri, String serverText) {
    super(status, method, uri, serverText);
  }
}
