package dev.imagebuilder.testkit;

import dev.imagebuilder.testkit.internal.launchpad.Outcome;

/**
 * What the builds of one recipe on one architecture will do. Without a script a build succeeds
 * and, when the recipe has push rules, its registry upload succeeds. Each scripted event is
 * consumed once (by the next build or upload that reaches it), so a retried build or a re-scheduled
 * upload sees the rest of the script.
 */
public final class BuildScript {
  private final Outcome outcome;

  BuildScript(Outcome outcome) {
    this.outcome = outcome;
  }

  /** The next build ends "Failed to build" (after Gathering build output). */
  public BuildScript buildFails() {
    return buildFailsTimes(1);
  }

  /** The next {@code times} builds end "Failed to build". */
  public BuildScript buildFailsTimes(int times) {
    outcome.buildFails(checked(times));
    return this;
  }

  /** The next build ends "Dependency wait" (after Currently building). */
  public BuildScript dependencyWait() {
    outcome.dependencyWait(1);
    return this;
  }

  /**
   * The next {@code times} registry uploads end "Failed to upload" (with an error summary and a
   * registry-style error); the one after that ends "Uploaded". Launchpad does not retry these by
   * itself: each further attempt needs {@code scheduleRegistryUpload}.
   */
  public BuildScript uploadFailsTimes(int times) {
    return uploadFailsTimes(times, "UNAUTHORIZED", "authentication required");
  }

  /** As {@link #uploadFailsTimes(int)}, with the registry error code and message to report. */
  public BuildScript uploadFailsTimes(int times, String code, String message) {
    outcome.uploadFails(checked(times), code, message);
    return this;
  }

  /**
   * The next build's upload ends "Superseded" (buildstate "Build for superseded Source"): a newer
   * build for the architecture will publish instead.
   */
  public BuildScript superseded() {
    outcome.superseded(1);
    return this;
  }

  /**
   * The next cancel of a build loses the race: the build goes "Cancelling build" and then ends
   * "Successfully built" (and uploads) anyway.
   */
  public BuildScript cancelRacesFinish() {
    outcome.cancelRacesFinish(1);
    return this;
  }

  /**
   * The next build stays "Needs building" for {@code phases} phases (instead of one) before a
   * builder takes it: a queue on the farm, so a client sees it waiting for several polls.
   */
  public BuildScript waitsForABuilder(int phases) {
    outcome.waitsForBuilder(1, positive("phases", phases));
    return this;
  }

  /** The next build stays "Currently building" for {@code phases} phases (instead of one): a long build. */
  public BuildScript buildsFor(int phases) {
    outcome.buildsFor(1, positive("phases", phases));
    return this;
  }

  /**
   * The next build that succeeds gets no registry upload although the recipe has push rules: it
   * stays "Successfully built" / "Unscheduled" until someone calls {@code scheduleRegistryUpload}
   * (as for a build made before its recipe had push rules).
   */
  public BuildScript uploadNotScheduled() {
    outcome.uploadNotScheduled(1);
    return this;
  }

  /**
   * Someone else cancels the next build on Launchpad while it is "Currently building": it is
   * "Cancelling build" for one phase, then "Cancelled build".
   */
  public BuildScript cancelledOnLaunchpad() {
    outcome.cancelledOnLaunchpad(1);
    return this;
  }

  private static int positive(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be at least 1: " + value);
    }
    return value;
  }

  private static int checked(int times) {
    if (times < 0) {
      throw new IllegalArgumentException("times must not be negative: " + times);
    }
    return times;
  }
}
