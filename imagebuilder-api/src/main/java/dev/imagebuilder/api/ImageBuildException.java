package dev.imagebuilder.api;

/** Base of every exception the library throws. Unchecked, so it fits futures and lambdas. */
public class ImageBuildException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ImageBuildException(String message) {
    super(message);
  }

  public ImageBuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
