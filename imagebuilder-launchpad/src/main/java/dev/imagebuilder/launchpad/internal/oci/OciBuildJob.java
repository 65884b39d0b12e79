package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks the Launchpad side of one build, as the coordinator of its steps: each poll cycle sends
 * the requestBuilds that are due ({@link BuildRequestTracker}), reads open build requests and
 * their builds ({@link BuildsPoller}) and the upload retries that are due ({@link UploadRetrier});
 * a cancel goes through {@link RemoteCanceller}. The job owns the lock ({@link JobBook}'s
 * monitor) and the cycle. Every call is asynchronous; the cycle re-arms itself on the context's
 * scheduler once the previous cycle's calls are done, so nothing blocks the scheduler and there
 * is no thread per build.
 */
public final class OciBuildJob implements BuildJob {
  private static final Logger LOG = LoggerFactory.getLogger(OciBuildJob.class);
  /**
   * 2: every intent is recorded before its call (write-ahead), so TO_REQUEST means never sent.
   * 3: runs record their webhook (URL and state); formats 1 and 2 are read as without one.
   */
  static final int STATE_FORMAT = 3;

  private final LaunchpadClient client;
  private final JobBook book;
  private final BuildContext context;
  private final Clock clock;
  private final BuildRequestTracker requests;
  private final BuildsPoller builds;
  private final UploadRetrier uploads;
  private final RemoteCanceller canceller;
  private final WebhookTracker webhooks;

  OciBuildJob(LaunchpadClient client, LaunchpadSettings settings, BuildContext context, Clock clock) {
    this(client, settings, context, clock, null);
  }

  /** With {@code receiver} (webhooks on): new runs are driven by webhook deliveries. */
  OciBuildJob(LaunchpadClient client, LaunchpadSettings settings, BuildContext context, Clock clock,
      dev.imagebuilder.launchpad.internal.webhook.WebhookReceiver receiver) {
    this.client = client;
    this.context = context;
    this.clock = clock;
    this.book = new JobBook(context, settings, clock);
    LaunchpadFailures failures = new LaunchpadFailures(book);
    this.requests = new BuildRequestTracker(client, book, failures);
    this.uploads = new UploadRetrier(client, book);
    this.canceller = new RemoteCanceller(client, book);
    this.builds = new BuildsPoller(client, book, failures, uploads, canceller);
    this.webhooks = new WebhookTracker(client, book, receiver);
  }

  /**
   * A resumed or retried job does not know the secrets of the webhooks its ticket names (they are
   * never recorded): it deletes them and polls.
   */
  void dropRecordedWebhooks() {
    synchronized (book) {
      webhooks.removeAll();
    }
  }

  /** The runs and targets, for setting up and restoring. */
  JobBook book() {
    return book;
  }

  // ---------------------------------------------------------------- setting up

  /**
   * After a restore from a ticket: failures recorded stay failures; a requestBuilds that was sent
   * without its answer being recorded is UNCONFIRMED (phase UNKNOWN) and never sent again by a
   * resume; one recorded as not sent yet (write-ahead tickets only) was certainly not sent, and
   * is sent now.
   */
  void restoreStatuses(int format) {
    synchronized (book) {
      for (RecipeRun run : book.runs()) {
        run.restored(format);
        for (Target t : run.targets.values()) {
          t.status = JobState.restoredStatus(run, t.status);
        }
      }
    }
  }

  /**
   * Keeps only the targets named, each with its attempt raised, and starts retrying them: a
   * failed upload is scheduled again, a failed build is retried in place when Launchpad allows
   * it ({@code can_be_retried}), anything else is requested anew (one requestBuilds per recipe).
   */
  void keepOnly(Set<String> keys) {
    synchronized (book) {
      for (Target t : book.targets()) {
        if (!keys.contains(t.key)) {
          book.drop(t);
          continue;
        }
        t.status = TargetStatus.queued(t.key, t.status.labels()).withAttempt(t.status.attempt() + 1);
      }
      book.dropEmptyRuns();
    }
  }

  /**
   * Starts retrying the targets {@link #keepOnly} kept (declared to the context first, so that
   * every ticket recorded from here on names them).
   */
  CompletableFuture<Void> retryTargets() {
    List<CompletableFuture<?>> calls = new ArrayList<>();
    Map<RecipeRun, RecipeRun> fresh = new HashMap<>();
    for (Target t : book.targets()) {
      if (t.build == null) {
        synchronized (book) {
          t.moveTo(fresh.computeIfAbsent(t.run, book::newRun));
        }
        continue;
      }
      calls.add(client.get(t.build).thenCompose(build -> retryOne(t, build, fresh)));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenRun(book::dropEmptyRuns);
  }

  private CompletableFuture<?> retryOne(Target t, JsonNode build, Map<RecipeRun, RecipeRun> fresh) {
    String buildState = build.path("buildstate").asText("");
    String upload = build.path("registry_upload_status").asText("");
    if ("Successfully built".equals(buildState)
        && ("Failed to upload".equals(upload) || "Unscheduled".equals(upload))) {
      synchronized (book) {
        t.uploadPolicyReset();
      }
      context.log(t.key, "retry: scheduling the registry upload of " + t.build + " again");
      return uploads.schedule(t);
    }
    if (build.path("can_be_retried").asBoolean(false)) {
      context.log(t.key, "retry: retrying " + t.build + " in place");
      synchronized (book) {
        book.checkpoint(); // the raised attempt, before the retry it stands for
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
    synchronized (book) {
      context.log(t.key, "retry: " + t.build + " cannot be retried in place; requesting a new build");
      t.moveTo(fresh.computeIfAbsent(t.run, book::newRun));
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Adds the run of a recipe just resolved, declares the targets planned so far and sends its
   * requestBuilds now, recorded first (the build's other recipes may still be being read).
   */
  void startRun(RecipeInfo recipe, List<String> archs) {
    RecipeRun run;
    synchronized (book) {
      if (book.ended()) {
        return;
      }
      run = book.addRun(recipe, archs, Map.of());
      book.declareSoFar();
      run.requesting();
      if (webhooks.enabled()) {
        webhooks.prepare(run);
      }
      try {
        book.checkpoint(); // the webhook and the requestBuilds, both on record before either is sent
      } catch (RuntimeException e) {
        // Not recorded, so not sent: the state says so (the build has failed already).
        run.requestNotSent();
        run.webhookState = RecipeRun.WebhookState.NONE;
        return;
      }
    }
    if (webhooks.enabled()) {
      webhooks.create(run);
    }
    requests.request(run);
  }

  /** Declares every target and starts the polling cycle now. */
  void begin() {
    book.declareAll();
    context.schedule(this::cycle, Duration.ZERO);
  }

  // ---------------------------------------------------------------- the cycle

  /** One poll cycle: every open run's next call, and the upload retries that are due. */
  void cycle() {
    if (book.ended()) {
      return;
    }
    Instant started = clock.instant();
    List<CompletableFuture<?>> calls = new ArrayList<>();
    synchronized (book) {
      List<RecipeRun> toRequest = new ArrayList<>();
      for (RecipeRun run : book.runs()) {
        if (run.busy || !run.open()) {
          continue;
        }
        switch (run.phase) {
          case TO_REQUEST -> {
            if (run.dueForRequest(started)) {
              toRequest.add(run);
            }
          }
          case PENDING -> {
            if (run.dueForRead(started, book.settings.pollInterval())) {
              calls.add(run.probeBuildsNext ? probeBuilds(run, started) : pollRequest(run, started));
            }
          }
          case COMPLETED -> {
            if (run.dueForRead(started, book.settings.pollInterval())) {
              calls.add(builds.poll(run, started).thenRun(() -> finished(run)));
            }
          }
          default -> { }
        }
      }
      if (!toRequest.isEmpty()) {
        // Write-ahead: every requestBuilds of this cycle is on disk as sent before any goes out,
        // so a resume never takes one that went out for one that did not (one write for all).
        toRequest.forEach(RecipeRun::requesting);
        try {
          book.checkpoint();
        } catch (RuntimeException e) {
          // Not recorded, so not sent: the state says so (the build has failed already).
          toRequest.forEach(RecipeRun::requestNotSent);
          throw e;
        }
        toRequest.forEach(run -> calls.add(requests.request(run)));
      }
      for (Target t : book.targets()) {
        if (t.uploadDue(started)) {
          calls.add(uploads.schedule(t));
        }
      }
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> rearm(started));
  }

  private CompletableFuture<Object> pollRequest(RecipeRun run, Instant started) {
    return requests.poll(run).thenCompose(completed -> completed ? builds.poll(run, started).thenApply(v -> null) : done())
        .thenApply(v -> {
          finished(run);
          return null;
        });
  }

  /**
   * Looks at the builds of a request that was Pending: a build for every target completes the
   * run; short of that, the next read, when due, looks at the request itself.
   */
  private CompletableFuture<Object> probeBuilds(RecipeRun run, Instant started) {
    synchronized (book) {
      run.probing();
    }
    return builds.probe(run, started).thenCompose(found -> switch (found) {
      case COMPLETED -> {
        finished(run);
        yield done();
      }
      case NOT_YET, FAILED -> done();
    });
  }

  /** A run whose targets are all final no longer needs its webhook. */
  private void finished(RecipeRun run) {
    synchronized (book) {
      if (!run.open()) {
        webhooks.remove(run);
      }
    }
  }

  private static CompletableFuture<Object> done() {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * How long after {@code now} the cycle after one that {@code started} is due: one interval after
   * that start, at once if that has passed, never more than one interval away (a clock set back).
   */
  static Duration untilNextCycle(Instant started, Instant now, Duration interval) {
    Duration left = Duration.between(now, started.plus(interval));
    if (left.isNegative()) {
      return Duration.ZERO;
    }
    return left.compareTo(interval) > 0 ? interval : left;
  }

  /**
   * Schedules the next cycle one poll interval after this one started (at once if this one took
   * longer). Counted from its end instead, the cycles drifted by the time each took, up to a few
   * hundred milliseconds with many recipes, and a build's end was seen that much later.
   */
  private void rearm(Instant started) {
    if (!book.anyOpen()) {
      synchronized (book) {
        webhooks.removeAll(); // the build is over: its webhooks go
      }
      return;
    }
    if (book.ended()) {
      return;
    }
    try {
      context.schedule(this::cycle, untilNextCycle(started, clock.instant(), book.settings.pollInterval()));
    } catch (RuntimeException e) {
      // The build ended between the check and the schedule: nothing left to do.
      LOG.debug("not re-arming the poll cycle of {}: {}", context.buildId(), e.toString());
    }
  }

  // ---------------------------------------------------------------- cancel and state

  @Override
  public void cancel() {
    book.markCancelled();
    canceller.cancelAll();
    dropRecordedWebhooks();
  }

  @Override
  public Map<String, Object> state() {
    return book.state();
  }

  /** #12: promote each (image, series) once all its targets have SUCCEEDED. */
  void promoteAfterBuilds(AfterBuildPromotion.Factory factory) {
    book.promoteAfterBuilds(factory);
  }
}
