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
  int slowDispatches;
  int dispatchPhases = 1;
  int slowBuilds;
  int buildPhases = 1;
  int unscheduledUploads;
  int remoteCancels;
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
  public synchronized void waitsForBuilder(int times, int phases) {
    slowDispatches = times;
    dispatchPhases = phases;
  }
  public synchronized void buildsFor(int times, int phases) {
    slowBuilds = times;
    buildPhases = phases;
  }
  public synchronized void uploadNotScheduled(int times) { unscheduledUploads = times; }
  public synchronized void cancelledOnLaunchpad(int times) { remoteCancels = times; }

  synchronized boolean takeBuildFailure() { return take(() -> buildFailures > 0, () -> buildFailures--); }
  synchronized boolean takeDependencyWait() { return take(() -> dependencyWaits > 0, () -> dependencyWaits--); }
  synchronized boolean takeUploadFailure() { return take(() -> uploadFailures > 0, () -> uploadFailures--); }
  synchronized boolean takeSupersession() { return take(() -> supersessions > 0, () -> supersessions--); }
  synchronized boolean takeCancelRace() { return take(() -> cancelRaces > 0, () -> cancelRaces--); }
  synchronized boolean takeUnscheduledUpload() { return take(() -> unscheduledUploads > 0, () -> unscheduledUploads--); }
  synchronized boolean takeRemoteCancel() { return take(() -> remoteCancels > 0, () -> remoteCancels--); }
  /** Extra phases the next build stays Needs building (0: the usual one phase). */
  synchronized int takeDispatchWait() { return take(() -> slowDispatches > 0, () -> slowDispatches--) ? dispatchPhases - 1 : 0; }
  /** Extra phases the next build stays Currently building (0: the usual one phase). */
  synchronized int takeBuildWait() { return take(() -> slowBuilds > 0, () -> slowBuilds--) ? buildPhases - 1 : 0; }

  private static boolean take(java.util.function.BooleanSupplier available, Runnable consume) {
    if (!available.getAsBoolean()) {
      return false;
    }
    consume.run();
    return true;
  }
}
