package dev.imagebuilder.api;

/** Where a whole build stands. */
public enum BuildStatus {
  /** Targets are still queued, building or publishing. */
  RUNNING,
  /** Every target succeeded. */
  SUCCEEDED,
  /** Every target reached an end, and at least one did not succeed. */
  FAILED,
  /** The build was cancelled. */
  CANCELLED,
  /** Tracking itself failed (credentials, unreachable backend, missing catalog). */
  ERROR;

  public boolean isDone() {
    return this != RUNNING;
  }
}
