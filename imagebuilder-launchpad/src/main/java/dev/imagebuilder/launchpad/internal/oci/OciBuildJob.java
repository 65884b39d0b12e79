package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks the Launchpad side of one build: requestBuilds per recipe, each build request until it
 * leaves Pending, then its {@code builds} collection, one GET (pages of 300) per open build
 * request per poll cycle. Maps what it sees to target states, retries failed registry uploads
 * with backoff, cancels builds of architectures nobody asked for, and records remote references
 * for tickets. Every call is asynchronous; the cycle re-arms itself on the context's scheduler
 * once the previous cycle's calls are done, so nothing blocks the scheduler and there is no
 * thread per build.
 */
public final class OciBuildJob implements BuildJob {
  private static final Logger LOG = LoggerFactory.getLogger(OciBuildJob.class);
  /** 2: every intent is recorded before its call (write-ahead), so TO_REQUEST means never sent. */
  static final int STATE_FORMAT = 2;

  private final LaunchpadClient client;
  private final LaunchpadSettings settings;
  private final BuildContext context;
  private final OciImageRequest request;
  private final Clock clock;
  private final List<RecipeRun> runs = new ArrayList<>();
  private final Map<String, Target> targets = new LinkedHashMap<>();
  private int nextRunId;
  private volatile boolean cancelled;
  /** A cancel of the whole build was asked for (recorded before it is sent; a resume sends it again). */
  private boolean cancelRequested;
  /** Builds this process sent a cancel for: a resumed process sends each recorded cancel once more. */
  private final java.util.Set<URI> cancelSent = new java.util.HashSet<>();
  private int cycles;
  /** #12: promotion after the builds ({@code OciImageRequest.promotion()}), or {@code null}. */
  private AfterBuildPromotion promotion;

  OciBuildJob(LaunchpadClient client, LaunchpadSettings settings, BuildContext context, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.context = context;
    this.request = (OciImageRequest) context.request();
    this.clock = clock;
  }

  // ---------------------------------------------------------------- setting up

  /** Adds a run for a recipe with targets for {@code archs}; returns it. */
  synchronized RecipeRun addRun(RecipeInfo recipe, List<String> archs, Map<String, Integer> attempts) {
    RecipeRun run = new RecipeRun("r" + nextRunId++, recipe.entry(), recipe.recipe(), recipe.pushRules());
    run.webLink = recipe.webLink();
    runs.add(run);
    for (String arch : archs) {
      String key = OciTargets.key(recipe.entry(), arch);
      TargetStatus status = TargetStatus.queued(key, OciTargets.labels(recipe.entry(), arch, recipe.recipe().toString()))
          .withAttempt(attempts.getOrDefault(key, 1))
          .withLinks(recipe.webLink(), null);
      Target t = new Target(key, arch, run, status);
      run.targets.put(arch, t);
      targets.put(key, t);
    }
    return run;
  }

  synchronized RecipeRun newRun(RecipeRun like) {
    RecipeRun run = new RecipeRun("r" + nextRunId++, like.entry, like.recipe, like.pushRules);
    run.webLink = like.webLink;
    runs.add(run);
    return run;
  }

  synchronized void moveTarget(Target t, RecipeRun to) {
    t.run.targets.remove(t.arch);
    t.run.ignored.add(t.arch);
    t.run = to;
    to.targets.put(t.arch, t);
    t.build = null;
    t.uploadAttempts = 0;
    t.nextUploadAt = null;
    t.uploadPostedAt = null;
    t.unscheduledSince = null;
    t.uploadRefusal = null;
  }

  synchronized void putTarget(Target t) {
    targets.put(t.key, t);
    t.run.targets.put(t.arch, t);
  }

  synchronized void addRestoredRun(RecipeRun run) {
    runs.add(run);
    // New runs (from a retry) must not reuse a restored run's id, whatever gaps the ticket has.
    try {
      nextRunId = Math.max(nextRunId, Integer.parseInt(run.id.substring(1)) + 1);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      nextRunId = Math.max(nextRunId, runs.size());
    }
  }

  synchronized List<RecipeRun> runsForTest() {
    return List.copyOf(runs);
  }

  synchronized List<TargetStatus> statuses() {
    return targets.values().stream().map(t -> t.status).toList();
  }

  synchronized Map<String, Target> targetsByKey() {
    return new LinkedHashMap<>(targets);
  }

  /**
   * After a restore from a ticket: failures recorded stay failures; a requestBuilds that was sent
   * without its answer being recorded is UNCONFIRMED (phase UNKNOWN) and never sent again by a
   * resume; one recorded as not sent yet (write-ahead tickets only) was certainly not sent, and
   * is sent now.
   */
  synchronized void restoreStatuses(int format) {
    for (RecipeRun run : runs) {
      boolean neverSent = run.phase == RecipeRun.Phase.TO_REQUEST && format >= 2;
      if (run.phase == RecipeRun.Phase.REQUESTING || (run.phase == RecipeRun.Phase.TO_REQUEST && !neverSent)) {
        run.phase = RecipeRun.Phase.UNKNOWN;
      }
      for (Target t : run.targets.values()) {
        t.status = JobState.restoredStatus(run, t.status);
      }
    }
  }

  synchronized void restoreCancelRequested(boolean requested) {
    cancelRequested = requested;
  }

  synchronized boolean cancelRequested() {
    return cancelRequested;
  }

  /** Records the current state in the ticket's journals; caller holds the lock. */
  private void checkpoint() {
    context.checkpoint(JobState.write(runs, targets.values(), cancelRequested));
  }

  /**
   * Keeps only the targets named, each with its attempt raised, and starts retrying them: a
   * failed upload is scheduled again, a failed build is retried in place when Launchpad allows
   * it ({@code can_be_retried}), anything else is requested anew (one requestBuilds per recipe).
   */
  synchronized void keepOnly(java.util.Set<String> keys) {
    for (Target t : List.copyOf(targets.values())) {
      if (!keys.contains(t.key)) {
        targets.remove(t.key);
        t.run.targets.remove(t.arch);
        t.run.ignored.add(t.arch);
        continue;
      }
      t.status = TargetStatus.queued(t.key, t.status.labels()).withAttempt(t.status.attempt() + 1);
    }
    runs.removeIf(r -> r.targets.isEmpty());
  }

  /**
   * Starts retrying the targets {@link #keepOnly} kept (declared to the context first, so that
   * every ticket recorded from here on names them).
   */
  CompletableFuture<Void> retryTargets() {
    List<Target> kept;
    synchronized (this) {
      kept = List.copyOf(targets.values());
    }
    List<CompletableFuture<?>> calls = new ArrayList<>();
    Map<RecipeRun, RecipeRun> fresh = new HashMap<>();
    for (Target t : kept) {
      if (t.build == null) {
        synchronized (this) {
          moveTarget(t, fresh.computeIfAbsent(t.run, this::newRun));
        }
        continue;
      }
      calls.add(client.get(t.build).thenCompose(build -> retryOne(t, build, fresh)));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenRun(() -> {
      synchronized (this) {
        runs.removeIf(r -> r.targets.isEmpty());
      }
    });
  }

  private CompletableFuture<?> retryOne(Target t, JsonNode build, Map<RecipeRun, RecipeRun> fresh) {
    String buildState = build.path("buildstate").asText("");
    String upload = build.path("registry_upload_status").asText("");
    if ("Successfully built".equals(buildState)
        && ("Failed to upload".equals(upload) || "Unscheduled".equals(upload))) {
      synchronized (this) {
        t.uploadAttempts = 0;
        t.uploadRefusal = null;
      }
      context.log(t.key, "retry: scheduling the registry upload of " + t.build + " again");
      return scheduleUpload(t, false);
    }
    if (build.path("can_be_retried").asBoolean(false)) {
      context.log(t.key, "retry: retrying " + t.build + " in place");
      synchronized (this) {
        checkpoint(); // the raised attempt, before the retry it stands for
      }
      return client.post(t.build, "retry", Map.of()).handle((v, e) -> {
        if (e != null) {
          Throwable c = LaunchpadClient.unwrap(e);
          if (c instanceof AuthenticationException) {
            context.fail(c);
          }
          // Otherwise the next poll shows whether the retry took: never sent twice blindly.
          LOG.warn("retry of {} failed: {}", t.build, c.getMessage());
        }
        return null;
      });
    }
    synchronized (this) {
      context.log(t.key, "retry: " + t.build + " cannot be retried in place; requesting a new build");
      moveTarget(t, fresh.computeIfAbsent(t.run, this::newRun));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Declares the targets and starts the polling cycle now. */
  void begin() {
    context.declareTargets(statuses());
    context.schedule(this::cycle, Duration.ZERO);
  }

  // ---------------------------------------------------------------- the cycle

  /** One poll cycle: every open run's next call, and the upload retries that are due. */
  void cycle() {
    if (context.isClosed() || cancelled) {
      return;
    }
    Instant started = clock.instant();
    List<CompletableFuture<?>> calls = new ArrayList<>();
    synchronized (this) {
      cycles++;
      List<RecipeRun> toRequest = new ArrayList<>();
      for (RecipeRun run : runs) {
        if (run.busy || !run.open()) {
          continue;
        }
        switch (run.phase) {
          case TO_REQUEST -> {
            if (run.notBefore == null || !started.isBefore(run.notBefore)) {
              toRequest.add(run);
            }
          }
          case PENDING -> calls.add(pollRequest(run, started));
          case COMPLETED -> calls.add(pollBuilds(run, started));
          default -> { }
        }
      }
      if (!toRequest.isEmpty()) {
        // Write-ahead: every requestBuilds of this cycle is on disk as sent before any goes out,
        // so a resume never takes one that went out for one that did not (one write for all).
        toRequest.forEach(run -> {
          run.busy = true;
          run.phase = RecipeRun.Phase.REQUESTING;
        });
        try {
          checkpoint();
        } catch (RuntimeException e) {
          // Not recorded, so not sent: the state says so (the build has failed already).
          toRequest.forEach(run -> {
            run.busy = false;
            run.phase = RecipeRun.Phase.TO_REQUEST;
          });
          throw e;
        }
        toRequest.forEach(run -> calls.add(requestBuilds(run)));
      }
      for (Target t : targets.values()) {
        if (t.nextUploadAt != null && !t.uploadInFlight && !started.isBefore(t.nextUploadAt)) {
          calls.add(scheduleUpload(t, true));
        }
      }
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> rearm());
  }

  private void rearm() {
    if (context.isClosed() || cancelled) {
      return;
    }
    boolean open;
    synchronized (this) {
      open = runs.stream().anyMatch(RecipeRun::open);
    }
    if (open) {
      try {
        context.schedule(this::cycle, settings.pollInterval());
      } catch (RuntimeException e) {
        // The build ended between the check and the schedule: nothing left to do.
        LOG.debug("not re-arming the poll cycle of {}: {}", context.buildId(), e.toString());
      }
    }
  }

  /** Cycles run so far (tests and benchmarks). */
  public synchronized int cycles() {
    return cycles;
  }

  // ---------------------------------------------------------------- requestBuilds

  private CompletableFuture<?> requestBuilds(RecipeRun run) {
    LOG.info("requesting builds of {} for build {}", run.recipe, context.buildId());
    CompletableFuture<Boolean> answered = client.postFactory(run.recipe, "requestBuilds", Map.of()).handle((location, failure) -> {
      synchronized (this) {
        run.busy = false;
        if (failure == null) {
          run.buildRequest = location;
          run.phase = RecipeRun.Phase.PENDING;
          // The answer, on disk before anything (a poll, a cancel, the ticket) depends on it.
          checkpoint();
          for (Target t : run.targets.values()) {
            context.log(t.key, "build request " + location);
          }
          return true;
        }
        Throwable t = LaunchpadClient.unwrap(failure);
        Runnable report = answered(run, t);
        checkpoint(); // what became of it, on disk before the targets (and the build's end) show it
        report.run();
        return false;
      }
    });
    run.requesting = answered;
    return answered.thenCompose(requested -> requested && !cancelled
        ? pollRequest(run, clock.instant()) : CompletableFuture.completedFuture(null));
  }

  /**
   * Records in {@code run} what a requestBuilds that failed with {@code t} leaves, and returns the
   * target reports that follow from it; holds the lock.
   */
  private Runnable answered(RecipeRun run, Throwable t) {
    if (t instanceof AuthenticationException) {
      run.phase = RecipeRun.Phase.TO_REQUEST;
      context.fail(t);
    } else if (LaunchpadClient.certainlyNotSent(t) || isStatus(t, 503) || launchpadOops(t)) {
      // Nothing reached Launchpad (connection refused), or Launchpad itself answered with an
      // error (503, or a 500 OOPS), which rolls its transaction back: asking again cannot
      // make a second build request. (502/504, and a 500 without an OOPS id, come from
      // proxies in front: unknown outcome.)
      run.phase = RecipeRun.Phase.TO_REQUEST;
      if (t instanceof dev.imagebuilder.launchpad.internal.client.LaunchpadApiException lp && lp.retryAfter() != null) {
        Duration wait = lp.retryAfter().compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : lp.retryAfter();
        run.notBefore = clock.instant().plus(wait);
      }
      noteTransient(run, t);
    } else if (t instanceof RemoteServiceException r && r.status() >= 400 && r.status() < 500) {
      run.phase = RecipeRun.Phase.FAILED;
      run.error = r.serverText();
      return () -> failRun(run, "requestBuilds refused (HTTP " + r.status() + ")", r.serverText());
    } else {
      run.phase = RecipeRun.Phase.UNKNOWN;
      run.error = "requestBuilds got no answer (" + t.getMessage() + ")";
      return () -> {
        for (Target target : run.targets.values()) {
          report(target, JobState.unconfirmed(run, target.status));
        }
      };
    }
    return () -> { };
  }


  private CompletableFuture<?> pollRequest(RecipeRun run, Instant started) {
    synchronized (this) {
      run.busy = true;
    }
    return client.get(run.buildRequest).handle((json, failure) -> {
      synchronized (this) {
        run.busy = false;
        if (failure != null) {
          pollFailed(run, failure);
          return false;
        }
        run.consecutiveFailures = 0;
        String status = json.path("status").asText("");
        switch (status) {
          case "Completed" -> {
            run.phase = RecipeRun.Phase.COMPLETED;
            return true;
          }
          case "Failed" -> {
            String message = json.path("error_message").asText("");
            failRun(run, "Build request Failed", message.isEmpty() ? "the build request Failed" : message);
            return false;
          }
          default -> {
            for (Target t : run.targets.values()) {
              report(t, t.status.withState(TargetState.QUEUED, "Build request " + (status.isEmpty() ? "?" : status)));
            }
            return false;
          }
        }
      }
    }).thenCompose(completed -> completed ? pollBuilds(run, started) : CompletableFuture.completedFuture(null));
  }

  // ---------------------------------------------------------------- builds

  private CompletableFuture<?> pollBuilds(RecipeRun run, Instant started) {
    synchronized (this) {
      run.busy = true;
    }
    URI builds = URI.create(run.buildRequest + "/builds");
    return client.collection(builds).handle((entries, failure) -> {
      List<URI> toCancel = new ArrayList<>();
      synchronized (this) {
        run.busy = false;
        if (failure != null) {
          pollFailed(run, failure);
          return toCancel;
        }
        run.consecutiveFailures = 0;
        Map<String, Boolean> seen = new HashMap<>();
        for (JsonNode build : entries) {
          String arch = build.path("arch_tag").asText("");
          URI self = URI.create(build.path("self_link").asText(run.buildRequest + "/builds"));
          Target t = run.targets.get(arch);
          if (t == null && run.ignored.contains(arch)) {
            continue;
          }
          if (t == null) {
            if (!cancelSent.contains(self) && build.path("can_be_cancelled").asBoolean(true)
                && !BuildStateMapping.map(build, run.publishes()).state().isTerminal()) {
              run.cancelledUnwanted.add(self);
              toCancel.add(self);
            }
            continue;
          }
          seen.put(arch, true);
          t.build = self;
          observe(t, build, started);
          if (cancelRequested && !cancelSent.contains(self) && build.path("can_be_cancelled").asBoolean(false)) {
            // A cancel recorded by an earlier process that may not have gone out: send it again.
            toCancel.add(self);
          }
        }
        if (!toCancel.isEmpty()) {
          checkpoint(); // the cancels, recorded before they are sent
          cancelSent.addAll(toCancel);
        }
        for (Target t : run.targets.values()) {
          if (!seen.containsKey(t.arch) && !t.status.state().isTerminal()) {
            report(t, t.status.withState(TargetState.FAILED_TO_BUILD, "Build request Completed / no build")
                .withError("Launchpad created no " + t.arch + " build for this request (the architecture is not"
                    + " enabled for the build series, or an identical " + t.arch + " build is already pending)"));
          }
        }
      }
      return toCancel;
    }).thenCompose(toCancel -> {
      List<CompletableFuture<?>> cancels = new ArrayList<>();
      for (URI b : toCancel) {
        LOG.info("cancelling {}: its architecture was not requested", b);
        cancels.add(client.post(b, "cancel", Map.of()).exceptionally(e -> {
          LOG.warn("could not cancel unrequested build {}: {}", b, LaunchpadClient.unwrap(e).getMessage());
          if (LaunchpadClient.transientFailure(e)) {
            // cancel is a no-op on a build that cannot be cancelled: the next poll may try again.
            synchronized (this) {
              cancelSent.remove(b);
            }
          }
          return null;
        }));
      }
      return CompletableFuture.allOf(cancels.toArray(CompletableFuture[]::new));
    });
  }

  /** Applies one build's representation to its target; holds the lock. */
  private void observe(Target t, JsonNode build, Instant pollStarted) {
    BuildStateMapping.Observed o = BuildStateMapping.map(build, t.run.publishes());
    URI web = uri(build, "web_link");
    URI log = uri(build, "build_log_url");
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("build", t.build.toString());
    outputs.put("build_request", t.run.buildRequest.toString());
    outputs.put("recipe", t.run.recipe.toString());
    if (o.published() != null) {
      outputs.put("published", o.published().toString());
    }
    TargetStatus next = t.status.withState(o.state(), o.rawState()).withLinks(web, log)
        .withError(o.errorSummary()).withOutputs(outputs);
    if (o.state() == TargetState.PUBLISHING && o.rawState().endsWith("/ Unscheduled")) {
      // A built image with push rules but no upload: give Launchpad two cycles to schedule it.
      Instant now = clock.instant();
      if (t.unscheduledSince == null) {
        t.unscheduledSince = now;
      }
      if (Duration.between(t.unscheduledSince, now).compareTo(settings.pollInterval().multipliedBy(2)) < 0) {
        report(t, next);
        return;
      }
      next = next.withState(TargetState.FAILED_TO_PUBLISH, o.rawState()).withError(
          "the build succeeded but Launchpad scheduled no registry upload although the recipe has push rules");
    } else {
      t.unscheduledSince = null;
    }
    if (next.state() == TargetState.FAILED_TO_PUBLISH) {
      if (t.uploadInFlight || (t.uploadPostedAt != null && pollStarted.isBefore(t.uploadPostedAt))) {
        // Read before our scheduleRegistryUpload took effect: stale.
        return;
      }
      if (t.uploadRefusal != null) {
        // Launchpad refused the last upload for good: the target stays failed with its reason.
        report(t, next.withError(t.uploadRefusal));
        return;
      }
      if (t.uploadAttempts < request.autoRetryUploads()) {
        if (t.nextUploadAt == null) {
          int attempt = t.uploadAttempts + 1;
          Duration delay = settings.uploadRetryDelay(attempt);
          t.nextUploadAt = clock.instant().plus(delay);
          context.retryScheduled(t.key, "upload", attempt, request.autoRetryUploads(), delay,
              Objects.requireNonNullElse(next.errorSummary(), "registry upload failed"));
        }
        // Not terminal while a retry is pending: the build is not over yet.
        report(t, next.withState(TargetState.PUBLISHING, o.rawState()));
        return;
      }
    }
    report(t, next);
  }

  private CompletableFuture<?> scheduleUpload(Target t, boolean automatic) {
    URI build;
    synchronized (this) {
      t.uploadInFlight = true;
      t.nextUploadAt = null;
      t.uploadAttempts++;
      build = t.build;
      checkpoint(); // the attempt counted before it is made: a resume never exceeds the policy
    }
    LOG.info("scheduling registry upload of {} (attempt {})", build, t.uploadAttempts);
    return client.post(build, "scheduleRegistryUpload", Map.of()).handle((v, failure) -> {
      synchronized (this) {
        t.uploadInFlight = false;
        t.uploadPostedAt = clock.instant();
        if (failure == null) {
          context.log(t.key, "registry upload scheduled again (attempt " + t.uploadAttempts + ")");
          report(t, t.status.withState(TargetState.PUBLISHING, t.status.rawState()));
          return null;
        }
        Throwable e = LaunchpadClient.unwrap(failure);
        if (e instanceof AuthenticationException) {
          context.fail(e);
        } else if (e instanceof RemoteServiceException r && r.status() == 400) {
          String text = r.serverText();
          if (text.contains("already in progress") || text.contains("already been uploaded")) {
            context.log(t.key, "scheduleRegistryUpload: " + text.strip() + " (nothing to do)");
          } else {
            t.uploadRefusal = text.strip();
            report(t, t.status.withState(TargetState.FAILED_TO_PUBLISH, t.status.rawState()).withError(t.uploadRefusal));
          }
        } else {
          // Unknown outcome: the next poll shows whether the upload was scheduled.
          LOG.warn("scheduleRegistryUpload of {} failed: {}", build, e.getMessage());
        }
        return null;
      }
    });
  }

  // ---------------------------------------------------------------- reporting

  private void report(Target t, TargetStatus next) {
    if (promotion != null) {
      next = promotion.hold(t.run.entry, next); // #12: SUCCEEDED waits for the promotion
    }
    if (next.equals(t.status)) {
      return;
    }
    t.status = next;
    context.update(next);
    if (promotion != null) {
      promotion.settled(t.run.entry);
    }
  }

  /** #12: promote each (image, series) once all its targets have SUCCEEDED. */
  synchronized void promoteAfterBuilds(AfterBuildPromotion.Factory factory) {
    promotion = factory.create(this::statuses, s -> {
      synchronized (this) {
        Target t = targets.get(s.key());
        if (t != null) {
          report(t, s);
        }
      }
    });
  }

  private void failRun(RecipeRun run, String raw, String error) {
    if (run.phase != RecipeRun.Phase.UNKNOWN) {
      run.phase = RecipeRun.Phase.FAILED;
    }
    run.error = error;
    for (Target t : run.targets.values()) {
      report(t, t.status.withState(TargetState.FAILED_TO_BUILD, raw).withError(error));
    }
  }

  private void pollFailed(RecipeRun run, Throwable failure) {
    if (context.isClosed() || cancelled) {
      return;
    }
    Throwable t = LaunchpadClient.unwrap(failure);
    if (LaunchpadClient.transientFailure(t)) {
      noteTransient(run, t);
    } else {
      context.fail(t);
    }
  }

  private void noteTransient(RecipeRun run, Throwable t) {
    if (context.isClosed() || cancelled) {
      return; // the build ended (or the builder closed) while this call was in flight
    }
    run.consecutiveFailures++;
    LOG.warn("Launchpad call for {} failed ({} in a row): {}", run.recipe, run.consecutiveFailures, t.getMessage());
    if (run.consecutiveFailures >= settings.maxPollFailures()) {
      context.fail(t);
    }
  }

  /** A 500 that Launchpad's own error handling answered: it carries {@code X-Lazr-OopsId}. */
  private static boolean launchpadOops(Throwable t) {
    return t instanceof dev.imagebuilder.launchpad.internal.client.LaunchpadApiException lp
        && lp.status() == 500 && lp.oopsId() != null;
  }

  private static boolean isStatus(Throwable t, int status) {
    return t instanceof RemoteServiceException r && r.status() == status;
  }

  private static URI uri(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() && !v.asText().isEmpty() ? URI.create(v.asText()) : null;
  }

  // ---------------------------------------------------------------- cancel and state

  @Override
  public void cancel() {
    cancelled = true;
    List<URI> builds = new ArrayList<>();
    List<RecipeRun> pendingRuns = new ArrayList<>();
    synchronized (this) {
      cancelRequested = true;
      try {
        checkpoint();
      } catch (RuntimeException e) {
        // A cancel is idempotent and harmless: sent even when it could not be recorded first.
        LOG.warn("build {}: cancelling without recording it first: {}", context.buildId(), e.getMessage());
      }
      for (RecipeRun run : runs) {
        for (Target t : run.targets.values()) {
          if (t.build != null && !t.status.state().isTerminal()) {
            builds.add(t.build);
            cancelSent.add(t.build);
          }
        }
        if (run.phase == RecipeRun.Phase.PENDING || run.phase == RecipeRun.Phase.REQUESTING) {
          pendingRuns.add(run);
        }
      }
    }
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (URI b : builds) {
      calls.add(cancelBuild(b));
    }
    // Builds of a request still Pending do not exist yet: wait a little for them, then cancel.
    Duration wait = settings.pollInterval().multipliedBy(4);
    wait = wait.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30)
        : wait.compareTo(Duration.ofMinutes(2)) > 0 ? Duration.ofMinutes(2) : wait;
    Instant giveUp = clock.instant().plus(wait);
    for (RecipeRun run : pendingRuns) {
      // A requestBuilds still in flight is waited for: its answer names the request to watch.
      CompletableFuture<?> answered;
      synchronized (this) {
        answered = run.requesting != null && run.buildRequest == null ? run.requesting : CompletableFuture.completedFuture(null);
      }
      calls.add(answered.handle((v, e) -> null).thenCompose(v -> {
        URI request;
        synchronized (this) {
          request = run.buildRequest;
        }
        return request == null ? CompletableFuture.completedFuture(null) : cancelWhenCreated(request, giveUp);
      }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
  }

  private CompletableFuture<?> cancelBuild(URI build) {
    LOG.info("cancelling {}", build);
    // cancel is a no-op on a build that cannot be cancelled, so one more try is safe.
    return client.post(build, "cancel", Map.of())
        .handle((v, e) -> e == null || !LaunchpadClient.transientFailure(e)
            ? CompletableFuture.completedFuture(e)
            : client.post(build, "cancel", Map.of()).handle((v2, e2) -> e2))
        .thenCompose(f -> f)
        .thenAccept(e -> {
          if (e != null) {
            LOG.warn("could not cancel {}: {}", build, LaunchpadClient.unwrap(e).getMessage());
          }
        });
  }

  private CompletableFuture<Void> cancelWhenCreated(URI buildRequest, Instant giveUp) {
    return client.get(buildRequest).<Void>thenCompose(json -> {
      String status = json.path("status").asText("");
      if ("Completed".equals(status)) {
        return client.collection(URI.create(buildRequest + "/builds")).thenCompose(entries -> {
          List<CompletableFuture<?>> calls = new ArrayList<>();
          for (JsonNode b : entries) {
            if (!BuildStateMapping.map(b, false).state().isTerminal()) {
              calls.add(cancelBuild(URI.create(b.path("self_link").asText())));
            }
          }
          return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
        });
      }
      if (!"Pending".equals(status) || clock.instant().isAfter(giveUp)) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      return CompletableFuture.runAsync(() -> { },
              CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS))
          .thenCompose(v -> cancelWhenCreated(buildRequest, giveUp));
    }).exceptionally(e -> {
      LOG.warn("could not cancel the builds of {}: {}", buildRequest, LaunchpadClient.unwrap(e).getMessage());
      return null;
    });
  }

  @Override
  public synchronized Map<String, Object> state() {
    return JobState.write(runs, targets.values(), cancelRequested);
  }
}
