package dev.imagebuilder.api;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of one target: a build of one (image, series, architecture), one device, or one
 * cloud image.
 *
 * @param key stable identifier within its build, such as {@code redis/22.04/amd64}
 * @param labels what the target is, such as {@code image=redis, series=22.04, arch=amd64}
 * @param state the mapped state
 * @param rawState the backend's own words (for Launchpad, {@code buildstate} and
 *     {@code registry_upload_status}), or {@code null}
 * @param webLink where a person can look at the build, or {@code null}
 * @param logUrl the build log, or {@code null}
 * @param errorSummary why it failed, or {@code null}
 * @param outputs what it produced (paths, checksums, channel and version), possibly empty
 * @param attempt 1 for the first attempt, counting retries of this target
 */
public record TargetStatus(
    String key,
    Map<String, String> labels,
    TargetState state,
    String rawState,
    URI webLink,
    URI logUrl,
    String errorSummary,
    Map<String, String> outputs,
    int attempt) {

  public TargetStatus {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    labels = Map.copyOf(Objects.requireNonNullElse(labels, Map.of()));
    outputs = Map.copyOf(Objects.requireNonNullElse(outputs, Map.of()));
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
    }
  }

  /** A new queued target. */
  public static TargetStatus queued(String key, Map<String, String> labels) {
    return new TargetStatus(key, labels, TargetState.QUEUED, null, null, null, null, Map.of(), 1);
  }

  public TargetStatus withState(TargetState newState, String newRawState) {
    return new TargetStatus(key, labels, newState, newRawState, webLink, logUrl, errorSummary, outputs, attempt);
  }

  public TargetStatus withLinks(URI newWebLink, URI newLogUrl) {
    return new TargetStatus(key, labels, state, rawState, newWebLink, newLogUrl, errorSummary, outputs, attempt);
  }

  public TargetStatus withError(String newErrorSummary) {
    return new TargetStatus(key, labels, state, rawState, webLink, logUrl, newErrorSummary, outputs, attempt);
  }

  public TargetStatus withOutputs(Map<String, String> newOutputs) {
    return new TargetStatus(key, labels, state, rawState, webLink, logUrl, errorSummary, newOutputs, attempt);
  }

  public TargetStatus withAttempt(int newAttempt) {
    return new TargetStatus(key, labels, state, rawState, webLink, logUrl, errorSummary, outputs, newAttempt);
  }

  /** A label, or {@code null}. */
  public String label(String name) {
    return labels.get(name);
  }

  @Override
  public String toString() {
    return key + " " + state + (rawState == null ? "" : " [" + rawState + "]")
        + (errorSummary == null ? "" : " (" + errorSummary + ")")
        + (outputs.isEmpty() ? "" : " " + new TreeMap<>(outputs));
  }
}
