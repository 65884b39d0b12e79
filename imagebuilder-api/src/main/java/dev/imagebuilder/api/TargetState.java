package dev.imagebuilder.api;

/**
 * Where one target of a build stands. "Built" is not "published": a target is
 * {@link #SUCCEEDED} only once its result is published (for Launchpad, uploaded to the registry).
 */
public enum TargetState {
  QUEUED,
  BUILDING,
  PUBLISHING,
  SUCCEEDED,
  FAILED_TO_BUILD,
  FAILED_TO_PUBLISH,
  CANCELLING,
  CANCELLED,
  SUPERSEDED;

  /** True when the target will not change any more without a retry. */
  public boolean isTerminal() {
    return switch (this) {
      case SUCCEEDED, FAILED_TO_BUILD, FAILED_TO_PUBLISH, CANCELLED, SUPERSEDED -> true;
      default -> false;
    };
  }

  /** True for the terminal states a {@link BuildHandle#retry()} takes up again. */
  public boolean isFailure() {
    return this == FAILED_TO_BUILD || this == FAILED_TO_PUBLISH || this == CANCELLED;
  }
}
