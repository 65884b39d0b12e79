package dev.imagebuilder.testkit.internal.backend;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client's side of one build on the farm, as a real remote backend's job: it records its
 * intent through {@link BuildContext#checkpoint} before each call that creates work on the farm
 * and the answer after it, and polls the farm for the targets it follows.
 */
final class FarmJob implements BuildJob {
  private final Farm farm;
  private final BuildContext context;
  private final ImageRequest request;
  /** Written before the poll starts and by retry setup only; read from any thread. */
  private volatile String buildId;
  private volatile List<String> keys = List.of();
  private volatile String intent;
  /** What was last reported per key; touched by the poll task only. */
  private final Map<String, TargetStatus> reported = new HashMap<>();

  FarmJob(Farm farm, BuildContext context, ImageRequest request) {
    this.farm = farm;
    this.context = context;
    this.request = request;
  }

  /** Submits a new build of {@code planned}: intent, the call, its answer, then tracking. */
  void submit(List<PlannedTarget> planned) {
    List<TargetStatus> queued = new ArrayList<>();
    planned.forEach(p -> queued.add(queued(TargetStatus.queued(p.key(), p.labels()))));
    context.declareTargets(queued);
    keys = planned.stream().map(PlannedTarget::key).toList();
    checkpointed("submit", () -> buildId = farm.create(context.buildId(), request, planned));
  }

  /** Starts the next attempt of {@code retried} in place on the farm. */
  void retry(String id, List<String> retried) {
    buildId = id;
    keys = List.copyOf(retried);
    List<TargetStatus> queued = new ArrayList<>();
    for (TargetStatus failed : farm.read(id, retried)) {
      queued.add(queued(TargetStatus.queued(failed.key(), failed.labels()).withAttempt(failed.attempt() + 1)));
    }
    context.declareTargets(queued);
    checkpointed("retry", () -> farm.retry(id, context.buildId(), request, retried));
  }

  /** Queued in the farm's words too, so that a script starting queued reports no change. */
  private static TargetStatus queued(TargetStatus planned) {
    return planned.withState(TargetState.QUEUED, "queued");
  }

  /**
   * Makes {@code call}, which creates work on the farm, between a checkpoint of its intent and one
   * of its answer, as a real backend must; then follows the targets. A checkpoint that fails
   * throws, and the call is not made.
   */
  private void checkpointed(String what, Runnable call) {
    intent = what;
    context.checkpoint(state());
    call.run();
    intent = null;
    context.checkpoint(state());
    follow();
  }

  /** Follows {@code followed} of build {@code id}, as they are on the farm now. */
  void attach(String id, List<String> followed) {
    buildId = id;
    keys = List.copyOf(followed);
    List<TargetStatus> now = farm.read(id, followed);
    context.declareTargets(now);
    now.forEach(t -> reported.put(t.key(), t));
    follow();
  }

  /** Declares targets whose fate nobody can follow, without any build on the farm. */
  void orphaned(List<TargetStatus> targets) {
    keys = targets.stream().map(TargetStatus::key).toList();
    context.declareTargets(targets);
  }

  private void follow() {
    context.schedule(this::poll, Duration.ZERO);
  }

  private void poll() {
    if (context.isClosed()) {
      return;
    }
    boolean running = false;
    for (TargetStatus t : farm.read(buildId, keys)) {
      if (!t.equals(reported.get(t.key()))) {
        reported.put(t.key(), t);
        context.update(t);
      }
      running |= !t.state().isTerminal();
    }
    if (running && !context.isClosed()) {
      context.schedule(this::poll, farm.pollInterval());
    }
  }

  @Override
  public void cancel() {
    farm.cancel(buildId, context.buildId(), request, keys);
  }

  @Override
  public Map<String, Object> state() {
    Map<String, Object> state = new LinkedHashMap<>();
    String id = buildId;
    if (id != null) {
      state.put("build", id);
    }
    state.put("targets", keys);
    String pending = intent;
    if (pending != null) {
      state.put("intent", pending);
    }
    return state;
  }
}
