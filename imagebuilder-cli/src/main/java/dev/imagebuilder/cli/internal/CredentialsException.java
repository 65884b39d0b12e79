package dev.imagebuilder.cli.internal;

/** Credentials the command was pointed at cannot be used; exits 3. */
final class CredentialsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CredentialsException(String message) {
    super(message);
  }
}
