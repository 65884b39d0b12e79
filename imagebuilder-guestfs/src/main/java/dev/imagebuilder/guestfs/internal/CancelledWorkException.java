package dev.imagebuilder.guestfs.internal;

/** The build was cancelled while a step was running; not a failure of the build itself. */
final class CancelledWorkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CancelledWorkException(String message) {
    super(message);
  }
}
