package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The build farm: build request jobs and builds stepping through their states on the farm clock,
 * and the operations that change them (requestBuilds, cancel, retry, scheduleRegistryUpload).
 * Not thread-safe: the {@link World} calls it under its lock.
 *
 * <p>Each state lasts one phase: a request's job runs one phase after requestBuilds, then a build
 * goes Needs building, Currently building, Gathering build output, Uploading build, Successfully
 * built, one phase each, and a registry upload stays Pending for one phase. Events due at the same
 * instant apply in order of creation, request jobs first: a job sees builds created one phase
 * earlier still Needs building.
 */
final class BuildFarm {
  static final String ALREADY_PENDING = "An identical build of this OCI recipe is already pending.";

  private final FarmClock clock;
  private final Duration phase;
  private final Directory directory;
  private final RegistryUploads uploads;
  private final List<BuildRequest> requests = new ArrayList<>();
  private final List<Build> builds = new ArrayList<>();
  /** Told when a build is created or its status or upload status changes (webhook events). */
  private volatile BiConsumer<Build, String> buildListener = (b, action) -> { };

  BuildFarm(FarmClock clock, Duration phase, Directory directory, RegistryUploads uploads) {
    if (phase.isNegative() || phase.isZero()) {
      throw new IllegalArgumentException("phase duration must be positive: " + phase);
    }
    this.clock = clock;
    this.phase = phase;
    this.directory = directory;
    this.uploads = uploads;
  }

  Duration phase() { return phase; }

  /** Webhook events: {@code action} is "created" or "status-changed" (launchpad-webhooks.md §1). */
  void onBuildChanged(BiConsumer<Build, String> listener) { buildListener = listener; }

  private void changed(Build b, String state, String upload) {
    if (!b.buildstate.equals(state) || !b.registryUploadStatus.equals(upload)) {
      buildListener.accept(b, "status-changed");
    }
  }

  // ---- operations --------------------------------------------------------------------------

  BuildRequest requestBuilds(Recipe recipe) {
    settle();
    Instant now = clock.now();
    BuildRequest request = new BuildRequest(directory.nextId(), recipe, now, now.plus(phase));
    recipe.requests.add(request);
    requests.add(request);
    return request;
  }

  void cancel(Build build) {
    settle();
    String state = build.buildstate;
    String upload = build.registryUploadStatus;
    try {
      cancelNow(build);
    } finally {
      changed(build, state, upload);
    }
  }

  private void cancelNow(Build build) {
    Instant now = clock.now();
    if (!build.canBeCancelled()) {
      return; // Launchpad: a silent no-op
    }
    if (build.recipe.outcome(build.arch).takeCancelRace()) {
      // The builder finishes before the cancel lands: the build ends Successfully built anyway.
      build.finishDespiteCancel = true;
      build.buildstate = Build.CANCELLING;
      build.nextAt = now.plus(phase);
      return;
    }
    if (build.buildstate.equals(Build.NEEDS_BUILDING)) {
      build.buildstate = Build.CANCELLED;
      build.dateBuilt = now;
      build.nextAt = null;
    } else {
      build.buildstate = Build.CANCELLING;
      build.nextAt = now.plus(phase);
    }
  }

  void retry(Build build) {
    settle();
    if (!build.canBeRetried()) {
      throw ApiError.badRequest("Build " + build.id + " cannot be retried");
    }
    build.buildstate = Build.NEEDS_BUILDING;
    build.dateStarted = null;
    build.dateBuilt = null;
    build.buildLogUrlPath = null;
    build.dependencies = null;
    build.registryUploadStatus = Build.UPLOAD_UNSCHEDULED;
    build.registryUploadErrorSummary = null;
    build.registryUploadErrors = List.of();
    build.finishDespiteCancel = false;
    build.extraPhases = build.recipe.outcome(build.arch).takeDispatchWait();
    build.estimatedDuration = estimate(build.recipe, build.arch); // queued again, estimated again
    build.nextAt = clock.now().plus(phase);
    buildListener.accept(build, "status-changed");
  }

  void scheduleRegistryUpload(Build build) {
    settle();
    if (build.recipe.pushRules.isEmpty()) {
      throw ApiError.badRequest(
          "Cannot upload this build to registries because the recipe is not properly configured.");
    }
    boolean hasFiles = build.buildstate.equals(Build.BUILT) || build.buildstate.equals(Build.SUPERSEDED);
    if (!hasFiles) {
      throw ApiError.badRequest("Cannot upload this build because it has no files.");
    }
    switch (build.registryUploadStatus) {
      case Build.UPLOAD_PENDING -> throw ApiError.badRequest("An upload of this build is already in progress.");
      case Build.UPLOAD_DONE -> throw ApiError.badRequest(
          "Cannot upload this build because it has already been uploaded.");
      case Build.UPLOAD_SUPERSEDED -> { } // accepted, but the job has nothing to do
      default -> {
        startUpload(build, clock.now());
        buildListener.accept(build, "status-changed");
      }
    }
  }

  // ---- time --------------------------------------------------------------------------------

  /**
   * Applies every farm event due by the clock's now, in time order: all events of the earliest due
   * instant (request jobs, then builds, each in creation order), then the next instant. A step
   * never schedules anything at its own instant, so each pass is one scan.
   */
  void settle() {
    Instant now = clock.now();
    while (true) {
      Instant at = null;
      for (BuildRequest r : requests) {
        if (r.jobAt != null && !r.jobAt.isAfter(now) && (at == null || r.jobAt.isBefore(at))) {
          at = r.jobAt;
        }
      }
      for (Build b : builds) {
        if (b.nextAt != null && !b.nextAt.isAfter(now) && (at == null || b.nextAt.isBefore(at))) {
          at = b.nextAt;
        }
      }
      if (at == null) {
        return;
      }
      List<BuildRequest> dueRequests = new ArrayList<>();
      for (BuildRequest r : requests) {
        if (at.equals(r.jobAt)) {
          dueRequests.add(r);
        }
      }
      List<Build> dueBuilds = new ArrayList<>();
      for (Build b : builds) {
        if (at.equals(b.nextAt)) {
          dueBuilds.add(b);
        }
      }
      dueRequests.forEach(this::runRequestJob);
      dueBuilds.forEach(this::step);
    }
  }

  private void runRequestJob(BuildRequest request) {
    Instant at = request.jobAt;
    request.jobAt = null;
    request.dateFinished = at;
    Recipe recipe = request.recipe;
    if (recipe.requestFailures > 0) {
      recipe.requestFailures--;
      request.status = "Failed";
      request.errorMessage = recipe.requestFailure;
      return;
    }
    int skipped = 0;
    for (String arch : recipe.processors) {
      boolean pending = recipe.builds.stream()
          .anyMatch(b -> b.arch.equals(arch) && b.buildstate.equals(Build.NEEDS_BUILDING));
      if (pending) {
        skipped++;
        continue;
      }
      Build build = new Build(directory.nextId(), recipe, request, arch, at);
      build.estimatedDuration = estimate(recipe, arch);
      build.extraPhases = recipe.outcome(arch).takeDispatchWait();
      build.nextAt = at.plus(phase);
      recipe.builds.add(build);
      request.builds.add(build);
      builds.add(build);
      buildListener.accept(build, "created");
    }
    if (request.builds.isEmpty() && skipped > 0) {
      request.status = "Failed";
      request.errorMessage = ALREADY_PENDING;
    } else {
      request.status = "Completed";
    }
  }

  /**
   * What Launchpad estimates a new build of {@code recipe} on {@code arch} will take
   * ({@code OCIRecipeBuild.estimateDuration}): the median length (start to end) of its last nine
   * successful builds there, the upper one of an even count, else {@link Build#DEFAULT_ESTIMATE}.
   */
  private static Duration estimate(Recipe recipe, String arch) {
    List<Build> built = recipe.builds.stream()
        .filter(b -> b.arch.equals(arch) && b.buildstate.equals(Build.BUILT) && b.dateStarted != null && b.dateBuilt != null)
        .sorted(Comparator.comparing((Build b) -> b.dateBuilt).reversed())
        .limit(9)
        .toList();
    if (built.isEmpty()) {
      return Build.DEFAULT_ESTIMATE;
    }
    List<Duration> lengths = built.stream().map(b -> Duration.between(b.dateStarted, b.dateBuilt)).sorted().toList();
    return lengths.get(lengths.size() / 2);
  }

  private void step(Build b) {
    String state = b.buildstate;
    String upload = b.registryUploadStatus;
    stepNow(b);
    changed(b, state, upload);
  }

  private void stepNow(Build b) {
    Instant at = b.nextAt;
    b.nextAt = null;
    Outcome outcome = b.recipe.outcome(b.arch);
    if (b.extraPhases > 0 && (b.buildstate.equals(Build.NEEDS_BUILDING) || b.buildstate.equals(Build.BUILDING))) {
      b.extraPhases--; // a scripted slow dispatch or build
      b.nextAt = at.plus(phase);
      return;
    }
    switch (b.buildstate) {
      case Build.NEEDS_BUILDING -> {
        b.buildstate = Build.BUILDING;
        b.extraPhases = outcome.takeBuildWait();
        b.dateStarted = at;
        if (b.dateFirstDispatched == null) {
          b.dateFirstDispatched = at;
        }
        b.nextAt = at.plus(phase);
      }
      case Build.BUILDING -> {
        if (outcome.takeRemoteCancel()) {
          // Someone cancels it on Launchpad: Cancelling build for a phase, then Cancelled build.
          b.buildstate = Build.CANCELLING;
          b.nextAt = at.plus(phase);
        } else if (outcome.takeDependencyWait()) {
          finish(b, Build.DEPWAIT, at);
          b.dependencies = "libfake-dev (>= 2.0)";
        } else {
          b.buildstate = Build.GATHERING;
          b.nextAt = at.plus(phase);
        }
      }
      case Build.GATHERING -> {
        if (outcome.takeBuildFailure()) {
          finish(b, Build.FAILED, at);
        } else {
          b.buildstate = Build.UPLOADING;
          b.nextAt = at.plus(phase);
        }
      }
      case Build.UPLOADING -> succeed(b, at);
      case Build.CANCELLING -> {
        if (b.finishDespiteCancel) {
          b.finishDespiteCancel = false;
          if (b.dateStarted == null) {
            b.dateStarted = at.minus(phase);
            b.dateFirstDispatched = b.dateStarted;
          }
          succeed(b, at);
        } else {
          finish(b, Build.CANCELLED, at);
        }
      }
      case Build.BUILT -> uploads.finish(b, outcome);
      default -> { }
    }
  }

  private void finish(Build b, String state, Instant at) {
    b.buildstate = state;
    b.dateBuilt = at;
    b.buildLogUrlPath = b.path() + "/+files/buildlog_oci_" + b.arch + "_" + b.id + ".txt.gz";
  }

  private void succeed(Build b, Instant at) {
    finish(b, Build.BUILT, at);
    if (!b.recipe.pushRules.isEmpty() && !b.recipe.outcome(b.arch).takeUnscheduledUpload()) {
      startUpload(b, at);
    }
  }

  private void startUpload(Build b, Instant at) {
    b.registryUploadStatus = Build.UPLOAD_PENDING;
    b.registryUploadErrorSummary = null;
    b.registryUploadErrors = List.of();
    b.nextAt = at.plus(phase);
  }

  // ---- lookups and views ------------------------------------------------------------------

  Optional<BuildRequest> buildRequest(Recipe recipe, int id) {
    return recipe.requests.stream().filter(r -> r.id == id).findFirst();
  }

  Optional<Build> build(Recipe recipe, int id) {
    return recipe.builds.stream().filter(b -> b.id == id).findFirst();
  }
}
