package dev.imagebuilder.testkit.internal.backend;

import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.testkit.TargetScript;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** One target of a build on the farm, walking its script. Guarded by the farm's lock. */
final class RemoteTarget {
  private final String buildId;
  private final String key;
  private final Map<String, String> labels;
  private int attempt;
  private TargetScript script;
  private int step;
  private Instant stepStarted;
  /** A state the test or a cancel set, overriding the script; null while the script runs. */
  private TargetState forced;

  RemoteTarget(String buildId, String key, Map<String, String> labels) {
    this.buildId = buildId;
    this.key = key;
    this.labels = Map.copyOf(labels);
  }

  String key() {
    return key;
  }

  int attempt() {
    return attempt;
  }

  /** Begins attempt {@code number} with {@code newScript}, at its first state. */
  void begin(int number, TargetScript newScript, Instant now) {
    attempt = number;
    script = newScript;
    step = 0;
    stepStarted = now;
    forced = null;
  }

  /** Moves through the script by the phases passed up to {@code now}. */
  void settle(Instant now, Duration phase) {
    if (forced != null) {
      return;
    }
    int last = script.states().size() - 1;
    while (step < last && !now.isBefore(stepStarted.plus(phase))) {
      stepStarted = stepStarted.plus(phase);
      step++;
    }
  }

  TargetState state() {
    return forced != null ? forced : script.states().get(step);
  }

  void force(TargetState state) {
    forced = state;
  }

  TargetStatus snapshot() {
    TargetState state = state();
    String error = null;
    if (state.isFailure()) {
      error = state == TargetState.CANCELLED ? "cancelled"
          : script.errorSummary() != null ? script.errorSummary()
          : "scripted " + state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
    Map<String, String> outputs = Map.of();
    if (state == TargetState.SUCCEEDED) {
      outputs = script.outputs().isEmpty() ? Map.of("artifact", buildId + "/" + key) : script.outputs();
    }
    return new TargetStatus(key, labels, state, state.name().toLowerCase(Locale.ROOT), null, null,
        error, outputs, attempt);
  }
}
