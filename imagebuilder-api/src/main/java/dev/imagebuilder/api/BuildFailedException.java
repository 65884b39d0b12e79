package dev.imagebuilder.api;

import java.util.stream.Collectors;

/** Thrown by {@link BuildResult#orThrow()} when a target did not succeed; names the failed targets. */
public class BuildFailedException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  private final transient BuildResult result;

  public BuildFailedException(BuildResult result) {
    super(describe(result));
    this.result = result;
  }

  /** The complete result, successes included. */
  public BuildResult result() {
    return result;
  }

  private static String describe(BuildResult result) {
    return "build " + result.buildId() + ": " + result.failedTargets().size() + " of "
        + result.targets().size() + " targets failed: "
        + result.failedTargets().stream()
            .map(t -> t.key() + " " + t.state()
                + (t.errorSummary() == null ? "" : " (" + t.errorSummary() + ")"))
            .collect(Collectors.joining("; "));
  }
}
