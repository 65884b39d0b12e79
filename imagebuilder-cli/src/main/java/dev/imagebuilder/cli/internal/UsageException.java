package dev.imagebuilder.cli.internal;

/** Bad command-line input found by the command itself; exits 2 with its one-line message. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }

  UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
