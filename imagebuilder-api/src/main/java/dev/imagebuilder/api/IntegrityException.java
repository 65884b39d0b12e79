package dev.imagebuilder.api;

/** Downloaded or remote content did not match its expected size, checksum or signature. */
public class IntegrityException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message) {
    super(message);
  }
}
