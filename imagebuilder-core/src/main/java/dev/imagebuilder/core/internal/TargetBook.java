package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The targets of one build as the backend last reported them, and the completion rule: a build is
 * complete once its targets were declared and every one of them is terminal; its status
 * ({@link BuildResult#status()}) then follows from theirs. A build of no targets is an error, never
 * a success.
 *
 * <p>Not thread-safe: the handle's lock guards it, so that a target change and what it ends are
 * one step.
 */
final class TargetBook {
  /** A target's snapshot replacing the one before (null for a new target). */
  record Change(TargetStatus previous, TargetStatus current) {}

  private final String buildId;
  private final String backendName;
  private final Map<String, TargetStatus> targets = new LinkedHashMap<>();
  private boolean declared;

  TargetBook(String buildId, String backendName) {
    this.buildId = buildId;
    this.backendName = backendName;
  }

  /** Why {@code declaredTargets} cannot be the targets of a build, or null if they can. */
  ImageBuildException refusal(List<TargetStatus> declaredTargets) {
    if (declaredTargets.isEmpty()) {
      // Every target terminal would be true of none: an empty fan-out must never read as success.
      return new ImageBuildException("build " + buildId + " (" + backendName + ") has no targets; a build of nothing"
          + " is an error, not a success");
    }
    return null;
  }

  /**
   * Makes {@code declaredTargets} the build's targets, in their order (targets not among them are
   * dropped); returns the snapshots that changed.
   *
   * @throws ImageBuildException if they are none ({@link #refusal})
   */
  List<Change> declare(List<TargetStatus> declaredTargets) {
    ImageBuildException refused = refusal(declaredTargets);
    if (refused != null) {
      throw refused;
    }
    Map<String, TargetStatus> next = new LinkedHashMap<>();
    declaredTargets.forEach(t -> next.put(t.key(), t));
    targets.keySet().retainAll(next.keySet());
    List<Change> changes = new ArrayList<>();
    next.values().forEach(t -> {
      if (!t.equals(targets.get(t.key()))) {
        changes.add(put(t));
      }
    });
    declared = true;
    return changes;
  }

  /** Records one target's snapshot; empty if it is the one already recorded. */
  Optional<Change> update(TargetStatus target) {
    if (target.equals(targets.get(target.key()))) {
      return Optional.empty();
    }
    return Optional.of(put(target));
  }

  /** Moves every target that has not ended to CANCELLING. */
  List<Change> cancelling() {
    List<Change> changes = new ArrayList<>();
    for (TargetStatus t : List.copyOf(targets.values())) {
      if (!t.state().isTerminal()) {
        changes.add(put(t.withState(TargetState.CANCELLING, t.rawState())));
      }
    }
    return changes;
  }

  /** Ends every CANCELLING target: CANCELLED, or an error if the remote cancel failed. */
  List<Change> cancelled(String failure) {
    List<Change> changes = new ArrayList<>();
    for (TargetStatus t : List.copyOf(targets.values())) {
      if (t.state() == TargetState.CANCELLING) {
        changes.add(put(failure == null ? t.withState(TargetState.CANCELLED, t.rawState()) : t.withError(failure)));
      }
    }
    return changes;
  }

  /** Whether the build is complete: its targets were declared and every one of them is terminal. */
  boolean isComplete() {
    return declared && targets.values().stream().allMatch(t -> t.state().isTerminal());
  }

  /** The build's result as of now, its status following from the targets'. */
  BuildResult result(Instant at) {
    return new BuildResult(buildId, backendName, List.copyOf(targets.values()), at);
  }

  /** The targets, in declaration order. */
  List<TargetStatus> snapshot() {
    return List.copyOf(targets.values());
  }

  /** The targets by key, in declaration order (a copy). */
  Map<String, TargetStatus> byKey() {
    return new LinkedHashMap<>(targets);
  }

  /** The keys of the targets that failed. */
  Set<String> failedKeys() {
    Set<String> failed = new LinkedHashSet<>();
    targets.values().stream().filter(t -> t.state().isFailure()).forEach(t -> failed.add(t.key()));
    return failed;
  }

  private Change put(TargetStatus target) {
    return new Change(targets.put(target.key(), target), target);
  }
}
