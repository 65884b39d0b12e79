package dev.imagebuilder.api;

/** No backend can serve a request; the message lists every provider and why it was not chosen. */
public class NoBackendAvailableException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  public NoBackendAvailableException(String message) {
    super(message);
  }
}
