package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An {@code oci_recipe_build} and where it is in the fake build farm; guarded by the {@link World} lock. */
final class Build {
  static final String NEEDS_BUILDING = "Needs building";
  static final String BUILDING = "Currently building";
  static final String GATHERING = "Gathering build output";
  static final String UPLOADING = "Uploading build";
  static final String BUILT = "Successfully built";
  static final String FAILED = "Failed to build";
  static final String DEPWAIT = "Dependency wait";
  static final String SUPERSEDED = "Build for superseded Source";
  static final String CANCELLING = "Cancelling build";
  static final String CANCELLED = "Cancelled build";

  static final String UPLOAD_UNSCHEDULED = "Unscheduled";
  static final String UPLOAD_PENDING = "Pending";
  static final String UPLOAD_FAILED = "Failed to upload";
  static final String UPLOAD_DONE = "Uploaded";
  static final String UPLOAD_SUPERSEDED = "Superseded";

  private static final Set<String> RETRYABLE =
      Set.of(FAILED, DEPWAIT, "Chroot problem", "Failed to upload", CANCELLED, SUPERSEDED);

  final int id;
  final Recipe recipe;
  final BuildRequest request;
  final String arch;
  final Instant dateCreated;
  String buildstate = NEEDS_BUILDING;
  Instant dateStarted;
  Instant dateFirstDispatched;
  Instant dateBuilt;
  String buildLogUrlPath;
  String dependencies;
  String registryUploadStatus = UPLOAD_UNSCHEDULED;
  String registryUploadErrorSummary;
  List<Map<String, Object>> registryUploadErrors = List.of();
  /** When the build farm next moves this build (or its upload); null when nothing is running. */
  Instant nextAt;
  /** Further phases the build stays in its state (Needs building or Currently building), as scripted. */
  int extraPhases;
  /** Set while a scripted cancel race lets a cancelled build finish anyway. */
  boolean finishDespiteCancel;

  Build(int id, Recipe recipe, BuildRequest request, String arch, Instant created) {
    this.id = id;
    this.recipe = recipe;
    this.request = request;
    this.arch = arch;
    this.dateCreated = created;
  }

  String path() {
    return recipe.path() + "/+build/" + id;
  }

  boolean canBeRetried() {
    return RETRYABLE.contains(buildstate);
  }

  boolean canBeCancelled() {
    return buildstate.equals(NEEDS_BUILDING) || buildstate.equals(BUILDING);
  }

  /** Launchpad's estimate of an OCI build's length when its recipe has no successful build on the architecture. */
  static final Duration DEFAULT_ESTIMATE = Duration.ofMinutes(30);

  /**
   * Launchpad's estimate of this build's length, made when it is queued
   * ({@code OCIRecipeBuild.estimateDuration}): the median length of the recipe's last nine
   * successful builds on the same architecture, else {@link #DEFAULT_ESTIMATE}.
   */
  Duration estimatedDuration = DEFAULT_ESTIMATE;

  /**
   * When Launchpad estimates at {@code now} that the build will end ({@code eta}). For a queued
   * build, Launchpad adds the estimated wait for a builder, in whole seconds and at least 5, to
   * the time of the request (lp.buildmaster.queuedepth), so the estimate, and with it the
   * build's {@code http_etag}, moves at every read. A dispatched build's estimate is its start
   * plus the estimated duration ({@link #estimatedDuration}). A finished one has no queue entry
   * and no estimate.
   */
  Instant eta(Instant now) {
    if (dateBuilt != null) {
      return null;
    }
    if (buildstate.equals(NEEDS_BUILDING)) {
      long wait = nextAt == null ? 0 : Math.max(0, Duration.between(now, nextAt).getSeconds());
      return now.plusSeconds(Math.max(5, wait)).plus(estimatedDuration);
    }
    boolean dispatched = buildstate.equals(BUILDING) || buildstate.equals(GATHERING) || buildstate.equals(CANCELLING);
    return dispatched && dateStarted != null ? dateStarted.plus(estimatedDuration) : null;
  }

  Duration duration() {
    return dateStarted != null && dateBuilt != null ? Duration.between(dateStarted, dateBuilt) : null;
  }
}
