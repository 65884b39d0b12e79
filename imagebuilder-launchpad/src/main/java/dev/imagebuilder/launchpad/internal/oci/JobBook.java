package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.spi.BuildContext;
import java.net.URI;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runs and targets of one {@link OciBuildJob}, and the job's lock: this object's monitor
 * guards every {@link RecipeRun} and {@link Target} in it. The job creates it and hands it to
 * its steps ({@link BuildRequestTracker}, {@link BuildsPoller}, {@link UploadRetrier},
 * {@link RemoteCanceller}), which take the lock for each change, report through
 * {@link #report} and record intents through {@link #checkpoint}.
 */
final class JobBook {
  final BuildContext context;
  final LaunchpadSettings settings;
  final OciImageRequest request;
  final Clock clock;
  private final List<RecipeRun> runs = new java.util.ArrayList<>();
  private final Map<String, Target> targets = new LinkedHashMap<>();
  private int nextRunId;
  private volatile boolean cancelled;
  /** A cancel of the whole build was asked for (recorded before it is sent; a resume sends it again). */
  private boolean cancelRequested;
  /** Builds this process sent a cancel for: a resumed process sends each recorded cancel once more. */
  private final Set<URI> cancelSent = new HashSet<>();
  /**
   * Targets are still being added (recipes still being resolved): a terminal state is kept, not
   * reported, so that the build cannot complete before every target was declared.
   */
  private boolean declaring;
  /** Every selected recipe was read and has its run (or builds nothing wanted): recorded in tickets. */
  private boolean planned = true;

  JobBook(BuildContext context, LaunchpadSettings settings, Clock clock) {
    this.context = context;
    this.settings = settings;
    this.request = (OciImageRequest) context.request();
    this.clock = clock;
  }

  /** #12: promotion after the builds ({@code OciImageRequest.promotion()}), or {@code null}. */
  private AfterBuildPromotion promotion;

  // ---- runs and targets (callers hold the lock, except the synchronized ones)

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

  /** A new run on the same recipe as {@code like}, with a fresh id. */
  synchronized RecipeRun newRun(RecipeRun like) {
    RecipeRun run = new RecipeRun("r" + nextRunId++, like.entry, like.recipe, like.pushRules);
    run.webLink = like.webLink;
    runs.add(run);
    return run;
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

  /** Drops target {@code t} from the build (a retry that does not name it). */
  synchronized void drop(Target t) {
    targets.remove(t.key);
    t.run.release(t.arch);
  }

  synchronized void dropEmptyRuns() {
    runs.removeIf(r -> r.targets.isEmpty());
  }

  synchronized List<RecipeRun> runs() {
    return List.copyOf(runs);
  }

  synchronized List<Target> targets() {
    return List.copyOf(targets.values());
  }

  synchronized Map<String, Target> targetsByKey() {
    return new LinkedHashMap<>(targets);
  }

  synchronized List<TargetStatus> statuses() {
    return targets.values().stream().map(t -> t.status).toList();
  }

  synchronized boolean anyOpen() {
    return runs.stream().anyMatch(RecipeRun::open);
  }

  // ---- cancel

  /** The job was cancelled, or the build ended (or the builder closed): no more calls. */
  boolean ended() {
    return cancelled || context.isClosed();
  }

  void markCancelled() {
    cancelled = true;
  }

  synchronized boolean cancelRequested() {
    return cancelRequested;
  }

  synchronized void cancelRequested(boolean requested) {
    cancelRequested = requested;
  }

  /** Holds the lock. True if a cancel of {@code build} was sent by this process. */
  boolean cancelSent(URI build) {
    return cancelSent.contains(build);
  }

  void cancelSent(java.util.Collection<URI> builds) {
    cancelSent.addAll(builds);
  }

  synchronized void cancelNotSent(URI build) {
    cancelSent.remove(build);
  }

  // ---- declaring targets

  /** Targets are being added one recipe at a time: terminal states wait for {@link #declareAll}. */
  synchronized void declaring() {
    declaring = true;
    planned = false;
  }

  /** Whether every selected recipe was read when this state was recorded. */
  synchronized boolean planned() {
    return planned;
  }

  synchronized void planned(boolean planned) {
    this.planned = planned;
  }

  /** True when a run of {@code entry}'s recipe exists already (a resume plans only the others). */
  synchronized boolean hasRunFor(Catalog.Entry entry) {
    return runs.stream().anyMatch(r -> r.entry.image().equals(entry.image())
        && r.entry.seriesName().equals(entry.seriesName()));
  }

  /** Declares the targets planned so far to the context (before anything about them is recorded). */
  synchronized void declareSoFar() {
    context.declareTargets(statuses());
  }

  /** Every target is known: declares them all, terminal states included. */
  synchronized void declareAll() {
    declaring = false;
    planned = true;
    context.declareTargets(statuses());
  }

  // ---- reports and records (callers hold the lock)

  /** Records the current state in the ticket's journals; caller holds the lock. */
  void checkpoint() {
    context.checkpoint(state());
  }

  synchronized Map<String, Object> state() {
    Map<String, Object> state = JobState.write(runs, targets.values(), cancelRequested);
    state.put("planned", planned);
    return state;
  }

  /** Reports {@code next} as {@code t}'s state if it is new; caller holds the lock. */
  void report(Target t, TargetStatus next) {
    if (promotion != null) {
      next = promotion.hold(t.run.entry, next); // #12: SUCCEEDED waits for the promotion
    }
    if (next.equals(t.status)) {
      return;
    }
    t.status = next;
    if (declaring && next.state().isTerminal()) {
      return; // carried by declareAll()
    }
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

  /** Every target of {@code run} failed to build with {@code raw} and {@code error}; caller holds the lock. */
  void failRun(RecipeRun run, String raw, String error) {
    run.failed(error);
    for (Target t : run.targets.values()) {
      report(t, t.status.withState(TargetState.FAILED_TO_BUILD, raw).withError(error));
    }
  }
}
