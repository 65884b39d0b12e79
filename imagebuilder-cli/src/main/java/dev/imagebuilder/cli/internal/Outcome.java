package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.nio.file.Path;
import java.util.List;

/**
 * How a run of the command ended, for its summary and exit status.
 *
 * @param rejected request items that were not submitted (submit: no backend for them)
 * @param resumeCommand the command that re-attaches to the builds, or null when nothing runs
 * @param stoppedHere builds whose work ran in this process and stopped with it (cloud, touch)
 * @param journalFailure why the state file could not be written, or null
 */
record Outcome(
    Ending ending,
    List<BuildOutcome> builds,
    List<Rejected> rejected,
    Path stateFile,
    String timeout,
    String resumeCommand,
    int exitCode,
    List<String> stoppedHere,
    String journalFailure) {

  /** Why the command stopped. */
  enum Ending {
    /** Every build ended. */
    COMPLETED,
    /** Without --wait: every target was submitted. */
    SUBMITTED,
    /** The local deadline (--timeout) passed; builds go on. */
    DEADLINE,
    /** Ctrl-C; builds go on. */
    INTERRUPTED,
    /** cancel: the builds were asked to stop. */
    CANCELLED,
    /** status: a snapshot was taken. */
    SNAPSHOT
  }

  /** One build as it stood at the end. */
  record BuildOutcome(String buildId, String backend, BuildStatus status, List<TargetStatus> targets, String failure) {}

  /** A request item that was not submitted. */
  record Rejected(int index, String imageType, String reason) {}

  Outcome {
    builds = List.copyOf(builds);
    rejected = List.copyOf(rejected);
    stoppedHere = List.copyOf(stoppedHere);
  }

  /** An outcome with no build stopped with this process and a state file that was written. */
  Outcome(Ending ending, List<BuildOutcome> builds, List<Rejected> rejected, Path stateFile, String timeout,
      String resumeCommand, int exitCode) {
    this(ending, builds, rejected, stateFile, timeout, resumeCommand, exitCode, List.of(), null);
  }

  List<TargetStatus> allTargets() {
    return builds.stream().flatMap(b -> b.targets().stream()).toList();
  }

  /** Targets that ended without succeeding. */
  List<TargetStatus> failedTargets() {
    return allTargets().stream()
        .filter(t -> t.state().isTerminal() && t.state() != TargetState.SUCCEEDED)
        .toList();
  }

  /** Builds whose tracking failed or that were cancelled as a whole, with their reason. */
  List<BuildOutcome> brokenBuilds() {
    return builds.stream().filter(b -> b.failure() != null).toList();
  }
}
