package dev.imagebuilder.testkit.internal.backend;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.testkit.FakeBackend;
import dev.imagebuilder.testkit.TargetScript;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The remote system behind a {@code FakeBackend}: the builds clients created, the targets walking
 * their scripts on the farm's time, and the record of every call. Every backend a
 * {@code FakeBackend}'s provider creates (one per ImageBuilder) talks to the same farm, as
 * processes on several machines talk to one remote system. One lock guards it all; every change
 * wakes those awaiting one.
 */
public final class Farm {
  private final FarmTime time;
  private final Duration phase;
  private final Duration pollInterval;
  private final Function<ImageRequest, List<PlannedTarget>> fanOut;
  private final Map<String, List<TargetScript>> scripts = new HashMap<>();
  private final Map<String, Build> builds = new LinkedHashMap<>();
  private final List<FakeBackend.Call> calls = new ArrayList<>();
  private TargetScript defaultScript = TargetScript.succeeds();
  private CountDownLatch hold;
  private int ids;

  public Farm(Clock clock, boolean realTime, Duration phase, Duration pollInterval,
      Function<ImageRequest, List<PlannedTarget>> fanOut) {
    this.time = new FarmTime(clock, realTime);
    this.phase = phase;
    this.pollInterval = pollInterval;
    this.fanOut = fanOut;
  }

  Duration pollInterval() {
    return pollInterval;
  }

  /** The targets {@code request} fans out to; throws {@link InvalidRequestException} when it cannot. */
  List<PlannedTarget> plan(ImageRequest request) {
    List<PlannedTarget> planned = fanOut.apply(request);
    if (planned.isEmpty()) {
      throw new InvalidRequestException("targets",
          "the fake backend found no targets in this " + request.imageType() + " request");
    }
    return planned;
  }

  // ---- scripts and controls (the test's side) ----

  public synchronized void script(String key, List<TargetScript> attempts) {
    scripts.put(Objects.requireNonNull(key, "key"), List.copyOf(attempts));
  }

  public synchronized void defaultScript(TargetScript script) {
    defaultScript = Objects.requireNonNull(script, "script");
  }

  public synchronized void advance(Duration by) {
    time.advance(by);
    notifyAll();
  }

  public Duration phase() {
    return phase;
  }

  public synchronized void finish(String buildId, String key, TargetState state) {
    Objects.requireNonNull(state, "state");
    Build b = known(buildId);
    Collection<RemoteTarget> chosen = key == null ? b.targets.values() : List.of(target(b, key));
    for (RemoteTarget t : chosen) {
      if (key != null || !t.state().isTerminal()) {
        t.force(state);
      }
    }
    notifyAll();
  }

  public synchronized void finishAll(TargetState state) {
    for (String id : builds.keySet()) {
      finish(id, null, state);
    }
  }

  public synchronized void hold() {
    if (hold == null) {
      hold = new CountDownLatch(1);
    }
  }

  public synchronized void release() {
    if (hold != null) {
      hold.countDown();
      hold = null;
    }
  }

  synchronized CountDownLatch currentHold() {
    return hold;
  }

  public synchronized void reset() {
    release();
    builds.clear();
    calls.clear();
    scripts.clear();
    defaultScript = TargetScript.succeeds();
    notifyAll();
  }

  // ---- what the test reads ----

  public synchronized List<FakeBackend.Build> builds() {
    List<FakeBackend.Build> out = new ArrayList<>();
    for (Build b : builds.values()) {
      out.add(view(b));
    }
    return out;
  }

  public synchronized Optional<FakeBackend.Build> build(String id) {
    Build b = builds.get(id);
    return b == null ? Optional.empty() : Optional.of(view(b));
  }

  /** How often clients read build {@code buildId}. */
  public synchronized long reads(String buildId) {
    return known(buildId).reads;
  }

  public synchronized List<FakeBackend.Call> calls() {
    return List.copyOf(calls);
  }

  /**
   * Waits until {@code condition} gives a value, woken by every change of the farm, for at most
   * {@code timeout}.
   *
   * @throws AssertionError naming {@code what} when the time runs out
   */
  public synchronized <T> T await(String what, Duration timeout, Supplier<Optional<T>> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> value = condition.get();
      if (value.isPresent()) {
        return value.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what
            + "; the fake backend has " + builds() + " and was asked " + calls);
      }
      long millis = Math.max(1, left / 1_000_000);
      wait(millis);
    }
  }

  // ---- what clients ask (the backend's side) ----

  synchronized String create(String clientBuildId, ImageRequest request, List<PlannedTarget> planned) {
    String id = "fake-" + ++ids;
    Build b = new Build(id, clientBuildId, request);
    Instant now = time.now();
    for (PlannedTarget p : planned) {
      RemoteTarget t = new RemoteTarget(id, p.key(), p.labels());
      t.begin(1, scriptFor(p.key(), 1), now);
      b.targets.put(p.key(), t);
    }
    builds.put(id, b);
    record(FakeBackend.Call.Kind.SUBMIT, id, clientBuildId, request, b.targets.keySet());
    return id;
  }

  synchronized Optional<String> buildOfClient(String clientBuildId) {
    return builds.values().stream().filter(b -> b.clientBuildId.equals(clientBuildId))
        .map(b -> b.id).findFirst();
  }

  synchronized boolean knows(String buildId) {
    return builds.containsKey(buildId);
  }

  synchronized void recordResume(String buildId, String clientBuildId, ImageRequest request,
      Collection<String> keys) {
    record(FakeBackend.Call.Kind.RESUME, buildId, clientBuildId, request, keys);
  }

  /** Starts the next attempt of {@code keys}, each from the start of its script for that attempt. */
  synchronized Map<String, Integer> retry(String buildId, String clientBuildId, ImageRequest request,
      Collection<String> keys) {
    Build b = known(buildId);
    Map<String, Integer> attempts = new LinkedHashMap<>();
    Instant now = time.now();
    for (String key : keys) {
      RemoteTarget t = target(b, key);
      int next = t.attempt() + 1;
      t.begin(next, scriptFor(key, next), now);
      attempts.put(key, next);
    }
    record(FakeBackend.Call.Kind.RETRY, buildId, clientBuildId, request, keys);
    return attempts;
  }

  synchronized void cancel(String buildId, String clientBuildId, ImageRequest request,
      Collection<String> keys) {
    record(FakeBackend.Call.Kind.CANCEL, buildId, clientBuildId, request, keys);
    Build b = buildId == null ? null : builds.get(buildId);
    if (b == null) {
      return;
    }
    Instant now = time.now();
    for (String key : keys) {
      RemoteTarget t = b.targets.get(key);
      if (t != null) {
        t.settle(now, phase);
        if (!t.state().isTerminal()) {
          t.force(TargetState.CANCELLED);
        }
      }
    }
    notifyAll();
  }

  /** The targets' snapshots now, for a client's poll. */
  synchronized List<TargetStatus> read(String buildId, Collection<String> keys) {
    Build b = known(buildId);
    b.reads++;
    notifyAll();
    Instant now = time.now();
    List<TargetStatus> out = new ArrayList<>();
    for (String key : keys) {
      RemoteTarget t = target(b, key);
      t.settle(now, phase);
      out.add(t.snapshot());
    }
    return out;
  }

  private TargetScript scriptFor(String key, int attempt) {
    List<TargetScript> list = scripts.get(key);
    if (list == null || list.isEmpty()) {
      return defaultScript;
    }
    return list.get(Math.min(attempt, list.size()) - 1);
  }

  private void record(FakeBackend.Call.Kind kind, String buildId, String clientBuildId,
      ImageRequest request, Collection<String> keys) {
    calls.add(new FakeBackend.Call(kind, buildId, clientBuildId, request, new LinkedHashSet<>(keys)));
    notifyAll();
  }

  private Build known(String buildId) {
    Build b = builds.get(Objects.requireNonNull(buildId, "buildId"));
    if (b == null) {
      throw new IllegalArgumentException("the fake backend has no build " + buildId
          + "; it has " + builds.keySet());
    }
    return b;
  }

  private static RemoteTarget target(Build b, String key) {
    RemoteTarget t = b.targets.get(key);
    if (t == null) {
      throw new IllegalArgumentException("build " + b.id + " of the fake backend has no target "
          + key + "; it has " + b.targets.keySet());
    }
    return t;
  }

  private FakeBackend.Build view(Build b) {
    Instant now = time.now();
    List<TargetStatus> targets = new ArrayList<>();
    for (RemoteTarget t : b.targets.values()) {
      t.settle(now, phase);
      targets.add(t.snapshot());
    }
    return new FakeBackend.Build(b.id, b.clientBuildId, b.request, targets);
  }

  /** A build on the farm. */
  private static final class Build {
    final String id;
    final String clientBuildId;
    final ImageRequest request;
    final Map<String, RemoteTarget> targets = new LinkedHashMap<>();
    /** How often clients read it: a clock of their polling. */
    long reads;

    Build(String id, String clientBuildId, ImageRequest request) {
      this.id = id;
      this.clientBuildId = clientBuildId;
      this.request = request;
    }
  }
}
