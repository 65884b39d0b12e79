package dev.imagebuilder.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.TargetStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendReportsTest {
  private static final Instant T = Instant.parse("2026-12-04T12:00:00Z");

  private final EngineThreads threads = new EngineThreads(1, 1, 1);
  private final Recorder build = new Recorder();
  private final TaskScope scope = new TaskScope(build::fail);
  private final BackendReports reports =
      new BackendReports("b-1", null, Clock.fixed(T, ZoneOffset.UTC), threads, scope, build);

  @AfterEach
  void shutDown() {
    threads.close();
  }

  @Test
  void reportsReachTheBuild() {
    TargetStatus amd64 = TargetStatus.queued("amd64", Map.of());

    reports.declareTargets(List.of(amd64));
    reports.update(amd64);
    reports.checkpoint(Map.of("recipe", "r"));
    IllegalStateException cause = new IllegalStateException("boom");
    reports.fail(cause);

    assertThat(build.calls).containsExactly(
        "declare [amd64]", "update amd64", "checkpoint {recipe=r}", "fail boom");
    assertThat(reports.buildId()).isEqualTo("b-1");
  }

  @Test
  void progressLogsAndRetriesBecomeEventsOfThisBuild() {
    reports.progress("amd64", 0.5, "half");
    reports.log("amd64", "line");
    reports.retryScheduled("amd64", "upload", 2, 5, Duration.ofSeconds(30), "registry 503");

    assertThat(build.events).containsExactly(
        new BuildEvent.Progress("b-1", T, "amd64", 0.5, "half"),
        new BuildEvent.LogLine("b-1", T, "amd64", "line"),
        new BuildEvent.RetryScheduled("b-1", T, "amd64", "upload", 2, 5, Duration.ofSeconds(30), "registry 503"));
  }

  @Test
  void workRunsInTheBuildsScopeAndFailingWorkFailsTheBuild() throws Exception {
    BlockingQueue<String> ran = new LinkedBlockingQueue<>();
    reports.execute(() -> ran.add("executed")).get(10, TimeUnit.SECONDS);
    reports.schedule(() -> ran.add("scheduled"), Duration.ZERO).get(10, TimeUnit.SECONDS);
    reports.execute(() -> {
      throw new IllegalStateException("poll bug");
    }).get(10, TimeUnit.SECONDS);

    assertThat(ran).containsExactly("executed", "scheduled");
    assertThat(build.calls).containsExactly("fail poll bug");
  }

  @Test
  void closedOnceTheScopeIsAndThenRunsNothing() {
    assertThat(reports.isClosed()).isFalse();
    scope.close();

    reports.execute(() -> build.calls.add("ran"));

    assertThat(reports.isClosed()).isTrue();
    assertThat(build.calls).isEmpty();
  }

  /** Records what the adapter hands on. */
  private static final class Recorder implements BackendReports.Build {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<BuildEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void declare(List<TargetStatus> targets) {
      calls.add("declare " + targets.stream().map(TargetStatus::key).toList());
    }

    @Override
    public void update(TargetStatus target) {
      calls.add("update " + target.key());
    }

    @Override
    public void publishIfOpen(Supplier<BuildEvent> event) {
      events.add(event.get());
    }

    @Override
    public void checkpoint(Map<String, Object> state) {
      calls.add("checkpoint " + state);
    }

    @Override
    public void fail(Throwable cause) {
      calls.add("fail " + cause.getMessage());
    }
  }
}
