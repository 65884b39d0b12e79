package dev.imagebuilder.api;

import java.time.Duration;

/**
 * Waiting ran out of time. Thrown by {@link BuildHandle#await(Duration)}: the builds go on and
 * the handle stays usable.
 */
public class BuildTimeoutException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  public BuildTimeoutException(String buildId, Duration waited) {
    super("build " + buildId + " still running after waiting " + waited
        + "; the builds go on (resume with its ticket, or await again)");
  }
}
