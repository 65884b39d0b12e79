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
  SUPERSEDED,
  /**
   * The previous process asked the remote system for this work and stopped before the answer was
   * recorded, and the remote system offers no way to find out what became of it (Launchpad lists
   * no build requests of a recipe). The target's web link says where to look. Terminal and not a
   * success; {@link BuildHandle#retry()} leaves it alone, since a blind retry could request the
   * work twice: once the link shows nothing was made, {@link BuildHandle#retry(java.util.Set)}
   * with its key requests it.
   */
  UNCONFIRMED;

  /** True when the target will not change any more without a retry. */
  public boolean isTerminal() {
    return switch (this) {
      case SUCCEEDED, FAILED_TO_BUILD, FAILED_TO_PUBLISH, CANCELLED, SUPERSEDED, UNCONFIRMED -> true;
      default -> false;
    };
  }

  /** True for the terminal states a {@link BuildHandle#retry()} takes up again. */
  public boolean isFailure() {
    return this == FAILED_TO_BUILD || this == FAILED_TO_PUBLISH || this == CANCELLED;
  }
}
