package dev.imagebuilder.api;

/** Thrown by {@link BuildHandle#await()} for a build that was cancelled. */
public class BuildCancelledException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  public BuildCancelledException(String buildId, String reason) {
    super("build " + buildId + " was cancelled" + (reason == null ? "" : ": " + reason));
  }
}
