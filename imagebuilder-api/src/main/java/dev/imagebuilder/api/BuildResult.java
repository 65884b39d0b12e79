package dev.imagebuilder.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The end of a build: every target with its final state. A partial failure is a normal result;
 * {@link #orThrow()} turns it into an exception when the caller wants one.
 */
public record BuildResult(String buildId, String backend, List<TargetStatus> targets, Instant finished) {

  public BuildResult {
    Objects.requireNonNull(buildId, "buildId");
    targets = List.copyOf(targets);
  }

  /** True when every target succeeded. */
  public boolean succeeded() {
    return targets.stream().allMatch(t -> t.state() == TargetState.SUCCEEDED);
  }

  /** The targets that did not succeed. */
  public List<TargetStatus> failedTargets() {
    return targets.stream().filter(t -> t.state() != TargetState.SUCCEEDED).toList();
  }

  /** The status this result stands for. */
  public BuildStatus status() {
    return succeeded() ? BuildStatus.SUCCEEDED : BuildStatus.FAILED;
  }

  /**
   * Returns this result if every target succeeded.
   *
   * @throws BuildFailedException naming the failed targets otherwise
   */
  public BuildResult orThrow() {
    if (!succeeded()) {
      throw new BuildFailedException(this);
    }
    return this;
  }
}
