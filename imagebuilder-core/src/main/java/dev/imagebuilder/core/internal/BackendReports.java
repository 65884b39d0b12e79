package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.spi.BuildContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend's view of one build ({@link BuildContext}): turns its reports into events and into
 * calls on the build, and runs the work it schedules in the build's {@link TaskScope}.
 */
final class BackendReports implements BuildContext {
  // The handle's logger name: callers (the command line) set one level for all of a build's logging.
  private static final Logger LOG = LoggerFactory.getLogger(DefaultBuildHandle.class);

  /** What a build does with the backend's reports. */
  interface Build {
    void declare(List<TargetStatus> targets);

    void update(TargetStatus target);

    /** Publishes the event while the build is open; the supplier is not called otherwise. */
    void publishIfOpen(Supplier<BuildEvent> event);

    void checkpoint(Map<String, Object> state);

    void fail(Throwable cause);
  }

  private final String buildId;
  private final ImageRequest request;
  private final Clock clock;
  private final EngineThreads threads;
  private final TaskScope scope;
  private final Build build;

  BackendReports(String buildId, ImageRequest request, Clock clock, EngineThreads threads, TaskScope scope,
      Build build) {
    this.buildId = buildId;
    this.request = request;
    this.clock = clock;
    this.threads = threads;
    this.scope = scope;
    this.build = build;
  }

  @Override
  public String buildId() {
    return buildId;
  }

  @Override
  public ImageRequest request() {
    return request;
  }

  @Override
  public void declareTargets(List<TargetStatus> targets) {
    build.declare(targets);
  }

  @Override
  public void update(TargetStatus target) {
    build.update(target);
  }

  @Override
  public void progress(String targetKey, double fraction, String message) {
    build.publishIfOpen(() -> new BuildEvent.Progress(buildId, clock.instant(), targetKey, fraction, message));
  }

  @Override
  public void log(String targetKey, String line) {
    build.publishIfOpen(() -> new BuildEvent.LogLine(buildId, clock.instant(), targetKey, line));
  }

  @Override
  public void retryScheduled(
      String targetKey, String action, int attemptNumber, int maxAttempts, Duration delay, String reason) {
    LOG.info("build {}: {} of {} scheduled in {} (attempt {} of {}): {}",
        buildId, action, targetKey, delay, attemptNumber, maxAttempts, reason);
    build.publishIfOpen(() -> new BuildEvent.RetryScheduled(
        buildId, clock.instant(), targetKey, action, attemptNumber, maxAttempts, delay, reason));
  }

  @Override
  public void checkpoint(Map<String, Object> state) {
    build.checkpoint(state);
  }

  @Override
  public void fail(Throwable cause) {
    build.fail(cause);
  }

  @Override
  public Future<?> schedule(Runnable task, Duration delay) {
    return scope.schedule(threads.scheduler(), task, delay);
  }

  @Override
  public Future<?> execute(Runnable task) {
    return scope.execute(threads.workers(), task);
  }

  @Override
  public boolean isClosed() {
    return scope.isClosed();
  }
}
