package dev.imagebuilder.testkit;

import dev.imagebuilder.api.TargetState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one attempt of one {@link FakeBackend} target goes through: a list of states, each held for
 * one phase of the fake backend's clock. A script that ends in a terminal state ends there; one
 * that ends in a state that is not terminal (a hang) stays in it until the build is cancelled or
 * the test {@linkplain FakeBackend#finish finishes} it. Immutable.
 *
 * <pre>{@code
 * TargetScript.succeeds()                      // QUEUED, BUILDING, PUBLISHING, SUCCEEDED
 * TargetScript.failsToPublish("registry said 401")
 * TargetScript.of(TargetState.BUILDING)         // building until cancelled or finished by the test
 * }</pre>
 */
public final class TargetScript {
  private final List<TargetState> states;
  private final String errorSummary;
  private final Map<String, String> outputs;

  private TargetScript(List<TargetState> states, String errorSummary, Map<String, String> outputs) {
    this.states = states;
    this.errorSummary = errorSummary;
    this.outputs = outputs;
  }

  /**
   * The states given, in order.
   *
   * @throws IllegalArgumentException when there are none, or a terminal state is not the last
   */
  public static TargetScript of(TargetState... states) {
    Objects.requireNonNull(states, "states");
    List<TargetState> list = List.of(states);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("states: a target script needs at least one state");
    }
    for (int i = 0; i < list.size() - 1; i++) {
      if (list.get(i).isTerminal()) {
        throw new IllegalArgumentException("states: " + list.get(i) + " is terminal, so nothing can "
            + "follow it, but " + list.subList(i + 1, list.size()) + " does");
      }
    }
    return new TargetScript(list, null, Map.of());
  }

  /** Queued, building, publishing, succeeded. */
  public static TargetScript succeeds() {
    return of(TargetState.QUEUED, TargetState.BUILDING, TargetState.PUBLISHING, TargetState.SUCCEEDED);
  }

  /** Queued, building, then {@link TargetState#FAILED_TO_BUILD} with {@code errorSummary}. */
  public static TargetScript failsToBuild(String errorSummary) {
    return of(TargetState.QUEUED, TargetState.BUILDING, TargetState.FAILED_TO_BUILD)
        .withError(errorSummary);
  }

  /** Queued, building, publishing, then {@link TargetState#FAILED_TO_PUBLISH} with {@code errorSummary}. */
  public static TargetScript failsToPublish(String errorSummary) {
    return of(TargetState.QUEUED, TargetState.BUILDING, TargetState.PUBLISHING,
        TargetState.FAILED_TO_PUBLISH).withError(errorSummary);
  }

  /** Queued, building, then {@link TargetState#SUPERSEDED}: a newer build publishes instead. */
  public static TargetScript superseded() {
    return of(TargetState.QUEUED, TargetState.BUILDING, TargetState.SUPERSEDED);
  }

  /** Queued, then building until the build is cancelled (or the test finishes it). */
  public static TargetScript hangs() {
    return of(TargetState.QUEUED, TargetState.BUILDING);
  }

  /** The same states; a failure ends with {@code summary} as the target's error summary. */
  public TargetScript withError(String summary) {
    return new TargetScript(states, Objects.requireNonNull(summary, "errorSummary"), outputs);
  }

  /**
   * The same states; success reports these outputs instead of the default
   * ({@code artifact=<build id>/<target key>}).
   */
  public TargetScript withOutputs(Map<String, String> newOutputs) {
    return new TargetScript(states, errorSummary, Map.copyOf(newOutputs));
  }

  /** The states, in order. */
  public List<TargetState> states() {
    return states;
  }

  /** The error summary a failure reports, or {@code null} for the default. */
  public String errorSummary() {
    return errorSummary;
  }

  /** The outputs a success reports; empty for the default. */
  public Map<String, String> outputs() {
    return outputs;
  }

  /** True when the last state is not terminal: the target stays there until cancelled. */
  public boolean hangsUntilCancelled() {
    return !states.get(states.size() - 1).isTerminal();
  }

  @Override
  public String toString() {
    return "TargetScript" + Arrays.toString(states.toArray())
        + (errorSummary == null ? "" : " (" + errorSummary + ")");
  }
}
