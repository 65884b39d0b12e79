package dev.imagebuilder.launchpad.testing;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.spi.BuildContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BuildContext} for unit tests of the backend: runs scheduled tasks on one thread,
 * records every report, and completes {@link #done} once every declared target is terminal (or
 * with the failure passed to {@link #fail}).
 */
public final class RecordingBuildContext implements BuildContext, AutoCloseable {
  private final ImageRequest request;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test-poller");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, TargetStatus> targets = new LinkedHashMap<>();
  public final List<TargetStatus> updates = new ArrayList<>();
  public final List<String> logs = new ArrayList<>();
  public final List<String> retries = new ArrayList<>();
  /** Every state the job recorded before a remote call or after its answer, in order. */
  public final List<Map<String, Object>> checkpoints = new java.util.concurrent.CopyOnWriteArrayList<>();
  public final CompletableFuture<Map<String, TargetStatus>> done = new CompletableFuture<>();
  /** The delay of every task scheduled, in order (the job's poll cycles). */
  public final List<Duration> scheduledDelays = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean declared;
  private volatile Runnable beforeEachTask = () -> { };

  public RecordingBuildContext(ImageRequest request) {
    this.request = request;
  }

  @Override
  public String buildId() {
    return "test-build";
  }

  @Override
  public ImageRequest request() {
    return request;
  }

  @Override
  public synchronized void declareTargets(List<TargetStatus> declaredTargets) {
    targets.clear();
    declaredTargets.forEach(t -> targets.put(t.key(), t));
    declared = true;
    check();
    notifyAll();
  }

  @Override
  public synchronized void update(TargetStatus target) {
    updates.add(target);
    targets.put(target.key(), target);
    check();
    notifyAll();
  }

  private void check() {
    if (declared && !targets.isEmpty() && targets.values().stream().allMatch(t -> t.state().isTerminal())) {
      done.complete(Map.copyOf(targets));
    }
  }

  public synchronized Map<String, TargetStatus> targets() {
    return new LinkedHashMap<>(targets);
  }

  /**
   * Runs {@code hook} on the scheduler's thread before each scheduled task, such as each poll
   * cycle: a test moves a fake's clock there, in step with the job's reads.
   */
  public RecordingBuildContext beforeEachTask(Runnable hook) {
    this.beforeEachTask = hook;
    return this;
  }

  /** Waits until the reported targets satisfy {@code condition}; fails after {@code timeout}. */
  public synchronized Map<String, TargetStatus> awaitTargets(
      java.util.function.Predicate<Map<String, TargetStatus>> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(targets)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("targets did not reach the expected state in " + timeout + ": " + targets);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return new LinkedHashMap<>(targets);
  }

  @Override
  public void progress(String targetKey, double fraction, String message) {}

  @Override
  public synchronized void log(String targetKey, String line) {
    logs.add(targetKey + ": " + line);
  }

  @Override
  public synchronized void retryScheduled(
      String targetKey, String action, int attempt, int maxAttempts, Duration delay, String reason) {
    retries.add(targetKey + " " + action + " " + attempt + "/" + maxAttempts + " in " + delay + ": " + reason);
  }

  @Override
  public void checkpoint(Map<String, Object> state) {
    checkpoints.add(Map.copyOf(state));
  }

  @Override
  public void fail(Throwable cause) {
    done.completeExceptionally(cause);
  }

  @Override
  public Future<?> schedule(Runnable task, Duration delay) {
    if (isClosed()) {
      throw new IllegalStateException("closed");
    }
    scheduledDelays.add(delay);
    return scheduler.schedule(() -> {
      try {
        beforeEachTask.run();
        task.run();
      } catch (RuntimeException e) {
        fail(e);
      }
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> execute(Runnable task) {
    return CompletableFuture.runAsync(task);
  }

  @Override
  public boolean isClosed() {
    return done.isDone();
  }

  @Override
  public void close() {
    done.cancel(false);
    scheduler.shutdownNow();
  }
}
