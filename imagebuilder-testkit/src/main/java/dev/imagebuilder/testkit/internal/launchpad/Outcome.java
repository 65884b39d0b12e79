package dev.imagebuilder.testkit.internal.launchpad;

/**
 * What a recipe's builds on one architecture do, as scripted by a test. Counters are consumed by
 * successive builds (or uploads) of that recipe and architecture, so a retried or re-requested
 * build sees the rest of the script.
 */
public final class Outcome {
  int buildFailures;
  int dependencyWaits;
  int uploadFailures;
  int supersessions;
  int cancelRaces;
  String uploadErrorCode = "UNAUTHORIZED";
  String uploadErrorMessage = "authentication required";

  public synchronized void buildFails(int times) { buildFailures = times; }
  public synchronized void dependencyWait(int times) { dependencyWaits = times; }
  public synchronized void uploadFails(int times, String code, String message) {
    uploadFailures = times;
    uploadErrorCode = code;
    uploadErrorMessage = message;
  }
  public synchronized void superseded(int times) { supersessions = times; }
  public synchronized void cancelRacesFinish(int times) { cancelRaces = times; }

  synchronized boolean takeBuildFailure() { return take(() -> buildFailures > 0, () -> buildFailures--); }
  synchronized boolean takeDependencyWait() { return take(() -> dependencyWaits > 0, () -> dependencyWaits--); }
  synchronized boolean takeUploadFailure() { return take(() -> uploadFailures > 0, () -> uploadFailures--); }
  synchronized boolean takeSupersession() { return take(() -> supersessions > 0, () -> supersessions--); }
  synchronized boolean takeCancelRace() { return take(() -> cancelRaces > 0, () -> cancelRaces--); }

  private static boolean take(java.util.function.BooleanSupplier available, Runnable consume) {
    if (!available.getAsBoolean()) {
      return false;
    }
    consume.run();
    return true;
  }
}
