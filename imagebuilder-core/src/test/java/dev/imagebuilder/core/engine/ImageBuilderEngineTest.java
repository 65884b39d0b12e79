package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.BuildBatch;
import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildFailedException;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.BuildTimeoutException;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.core.internal.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The semantics of DESIGN section 4, through the public API, against a scripted farm. */
class ImageBuilderEngineTest {
  private final FakeFarm farm = new FakeFarm();
  @TempDir Path state;
  private ImageBuilder builder;

  private ImageBuilder builder(BuildListener... listeners) {
    ImageBuilder.Builder b = ImageBuilder.newBuilder()
        .discoverBackends(false)
        .stateDirectory(state)
        .backend(farm.provider("farm", Set.of(OciImageRequest.class, CloudImageRequest.class)));
    for (BuildListener l : listeners) {
      b.listener(l);
    }
    builder = b.build();
    return builder;
  }

  @AfterEach
  void close() {
    if (builder != null) {
      builder.close();
    }
  }

  private static OciImageRequest oci(String... images) {
    return ImageRequest.oci().images(images).series("22.04", "24.04")
        .architectures(Architecture.AMD64, Architecture.ARM64).build();
  }

  @Test
  void aBuildSucceedsWhenEveryTargetSucceeds() {
    BuildHandle h = builder().submit(oci("redis"));
    assertThat(h.status()).isEqualTo(BuildStatus.RUNNING);
    assertThat(h.targets()).extracting(TargetStatus::key).containsExactly(
        "redis/22.04/amd64", "redis/22.04/arm64", "redis/24.04/amd64", "redis/24.04/arm64");
    farm.finishAll();

    BuildResult r = h.await(Duration.ofSeconds(10));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.targets()).hasSize(4).allMatch(t -> t.state() == TargetState.SUCCEEDED);
    assertThat(h.status()).isEqualTo(BuildStatus.SUCCEEDED);
    assertThat(r.orThrow()).isSameAs(r);
    assertThat(farm.submissions).hasValue(1);
  }

  @Test
  void aPartialFailureIsANormalResultNamingTheFailedTargets() {
    farm.outcome("redis/22.04/arm64", TargetState.FAILED_TO_BUILD);
    farm.outcome("redis/24.04/amd64", TargetState.FAILED_TO_PUBLISH);
    BuildHandle h = builder().submit(oci("redis"));
    farm.finishAll();

    BuildResult r = h.result().orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(r.succeeded()).isFalse();
    assertThat(h.status()).isEqualTo(BuildStatus.FAILED);
    assertThat(r.failedTargets()).extracting(TargetStatus::key)
        .containsExactly("redis/22.04/arm64", "redis/24.04/amd64");
    assertThatThrownBy(r::orThrow).isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("2 of 4 targets failed")
        .hasMessageContaining("redis/22.04/arm64 FAILED_TO_BUILD (scripted failure)")
        .hasMessageContaining("redis/24.04/amd64 FAILED_TO_PUBLISH");
  }

  @Test
  void retryBuildsOnlyTheFailedTargetsInANewHandle() {
    farm.outcome("redis/24.04/arm64", TargetState.FAILED_TO_BUILD);
    BuildHandle first = builder().submit(oci("redis"));
    farm.finishAll();
    first.await(Duration.ofSeconds(10));
    farm.outcomes.clear();

    BuildHandle second = first.retry();
    BuildResult r = second.await(Duration.ofSeconds(10));

    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(r.targets()).extracting(TargetStatus::key).containsExactly("redis/24.04/arm64");
    assertThat(r.targets().get(0).attempt()).isEqualTo(2);
    assertThat(r.succeeded()).isTrue();
    assertThat(farm.retries).hasValue(1);
    assertThat(farm.submissions).hasValue(1);
    assertThat(first.status()).isEqualTo(BuildStatus.FAILED);
  }

  @Test
  void whoeverSeesTheEndInTheStatusFindsTheResultDone() {
    // Regression: the status became final a moment before the result completed, so a caller
    // polling status() could read an unfinished result (the CLI's exit code depended on it).
    farm.pollInterval = Duration.ofMillis(1);
    ImageBuilder b = builder();
    for (int i = 0; i < 200; i++) {
      farm.running = true;
      BuildHandle h = b.submit(ImageRequest.oci().images("redis" + i).series("22.04")
          .architectures(Architecture.AMD64).build());
      farm.finishAll();
      while (!h.status().isDone()) {
        Thread.onSpinWait();
      }
      assertThat(h.result()).as("build %d", i).isDone();
    }
  }

  @Test
  void retryIsRefusedWhileRunningOrWhenNothingFailed() {
    BuildHandle h = builder().submit(oci("redis"));
    assertThatThrownBy(h::retry).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("still running");
    farm.finishAll();
    h.await(Duration.ofSeconds(10));
    assertThatThrownBy(h::retry).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no failed targets");
  }

  @Test
  void cancelStopsPollingReachesTheRemoteSystemAndIsIdempotent() throws Exception {
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    BuildHandle h = builder(events::add).submit(oci("redis"));
    waitUntil("three polls", () -> farm.polls.get() > 2);

    h.cancel().get(10, TimeUnit.SECONDS);
    h.cancel().get(10, TimeUnit.SECONDS);

    assertThat(farm.remoteCancels).hasValue(1);
    assertThat(farm.remoteState.values()).containsOnly("cancelled");
    assertThat(h.status()).isEqualTo(BuildStatus.CANCELLED);
    assertThat(h.result()).isCancelled();
    assertThatThrownBy(h::await).isInstanceOf(BuildCancelledException.class);
    assertThat(h.targets()).allMatch(t -> t.state() == TargetState.CANCELLED);
    int pollsAfterCancel = farm.pollsOf(h.id());
    waitUntil("the Completed event", () -> events.stream().anyMatch(e -> e instanceof BuildEvent.Completed));
    assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(BuildEvent.Completed.class,
        c -> assertThat(c.status()).isEqualTo(BuildStatus.CANCELLED));
    assertThat(events.stream().filter(e -> e instanceof BuildEvent.Completed)).hasSize(1);

    // A live build on the same engine is the clock: while it is polled five times, the
    // cancelled one must not be polled at all.
    BuildHandle witness = builder.submit(oci("nginx"));
    waitUntil("five polls of the witness", () -> farm.pollsOf(witness.id()) >= 5);
    assertThat(farm.pollsOf(h.id())).as("no polling after cancel").isEqualTo(pollsAfterCancel);
  }

  @Test
  void cancellingTheResultFutureCancelsTheBuild() {
    BuildHandle h = builder().submit(oci("redis"));

    assertThat(h.result().cancel(true)).isTrue();

    assertThat(h.status()).isEqualTo(BuildStatus.CANCELLED);
    waitUntil("the remote cancel", () -> farm.remoteCancels.get() == 1);
  }

  @Test
  void awaitingWithATimeoutNeverCancels() {
    BuildHandle h = builder().submit(oci("redis"));

    assertThatThrownBy(() -> h.await(Duration.ofMillis(50)))
        .isInstanceOf(BuildTimeoutException.class).hasMessageContaining("still running");

    assertThat(h.status()).isEqualTo(BuildStatus.RUNNING);
    assertThat(farm.remoteCancels).hasValue(0);
    farm.finishAll();
    assertThat(h.await(Duration.ofSeconds(10)).succeeded()).isTrue();
  }

  @Test
  void aDeadlineOnTheBuilderCancelsRemotely() {
    ImageBuilder b = ImageBuilder.newBuilder().discoverBackends(false).stateDirectory(state)
        .backend(farm.provider("farm", Set.of(OciImageRequest.class)))
        .deadline(Duration.ofMillis(100)).build();
    builder = b;
    BuildHandle h = b.submit(oci("redis"));

    assertThatThrownBy(() -> h.await(Duration.ofSeconds(10)))
        .isInstanceOf(BuildCancelledException.class).hasMessageContaining("deadline");
    waitUntil("the remote cancel", () -> farm.remoteCancels.get() == 1);
  }

  @Test
  void aThrowingListenerNeitherBreaksTrackingNorOtherListeners() {
    List<BuildEvent> seen = new CopyOnWriteArrayList<>();
    BuildListener throwing = e -> {
      throw new IllegalStateException("listener bug");
    };
    BuildHandle h = builder(throwing, seen::add).submit(oci("redis"));
    farm.finishAll();

    assertThat(h.await(Duration.ofSeconds(10)).succeeded()).isTrue();
    waitUntil("the Completed event", () -> seen.stream().anyMatch(e -> e instanceof BuildEvent.Completed));
    assertThat(seen.get(0)).isInstanceOf(BuildEvent.Submitted.class);
    assertThat(seen).filteredOn(e -> e instanceof BuildEvent.TargetStateChanged).isNotEmpty();
  }

  @Test
  void eventsArriveInOrderAndCompletionExactlyOnceEvenForLateSubscribers() throws Exception {
    List<BuildEvent> early = new CopyOnWriteArrayList<>();
    BuildHandle h = builder().submit(oci("redis"));
    h.subscribe(early::add);
    farm.finishAll();
    h.await(Duration.ofSeconds(10));
    CountDownLatch late = new CountDownLatch(1);
    List<BuildEvent> lateEvents = new CopyOnWriteArrayList<>();
    h.subscribe(e -> {
      lateEvents.add(e);
      late.countDown();
    });

    assertThat(late.await(5, TimeUnit.SECONDS)).isTrue();
    waitUntil("the Completed event", () -> early.stream().anyMatch(e -> e instanceof BuildEvent.Completed));
    assertThat(early.stream().filter(e -> e instanceof BuildEvent.Completed)).hasSize(1);
    assertThat(early.get(early.size() - 1)).isInstanceOf(BuildEvent.Completed.class);
    assertThat(lateEvents).singleElement().isInstanceOf(BuildEvent.Completed.class);
    // Each target's changes arrive in the order they happened: BUILDING before SUCCEEDED.
    List<TargetState> redisAmd64 = early.stream()
        .filter(e -> e instanceof BuildEvent.TargetStateChanged c && c.current().key().equals("redis/22.04/amd64"))
        .map(e -> ((BuildEvent.TargetStateChanged) e).current().state()).toList();
    assertThat(redisAmd64).endsWith(TargetState.SUCCEEDED);
    assertThat(redisAmd64.indexOf(TargetState.BUILDING)).isLessThan(redisAmd64.indexOf(TargetState.SUCCEEDED));
  }

  @Test
  void aListenerAddedAfterTheBuilderClosedStillHearsTheEnd() {
    BuildHandle h = builder().submit(oci("redis"));
    farm.finishAll();
    h.await(Duration.ofSeconds(10));
    builder.close();
    List<BuildEvent> lateEvents = new CopyOnWriteArrayList<>();

    h.subscribe(lateEvents::add);

    // The event threads are gone with the builder: the end is delivered on the caller's thread.
    assertThat(lateEvents).singleElement().isInstanceOfSatisfying(BuildEvent.Completed.class,
        c -> assertThat(c.status()).isEqualTo(BuildStatus.SUCCEEDED));
  }

  @Test
  void resultCallbacksDoNotStartInterrupted() throws Exception {
    List<Boolean> interrupted = new CopyOnWriteArrayList<>();
    CountDownLatch called = new CountDownLatch(2);
    builder();
    for (int i = 0; i < 2; i++) {
      builder.submit(oci("redis")).result().thenRun(() -> {
        // A callback that blocks (say, on I/O) would fail at once if it started interrupted.
        interrupted.add(Thread.currentThread().isInterrupted());
        called.countDown();
      });
    }
    farm.finishAll();

    assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(interrupted).containsExactly(false, false);
  }

  @Test
  void aMixedSubmissionGoesToTheBackendOfEachType() {
    FakeFarm touchFarm = new FakeFarm();
    builder = ImageBuilder.newBuilder().discoverBackends(false).stateDirectory(state)
        .backend(farm.provider("farm", Set.of(OciImageRequest.class, CloudImageRequest.class)))
        .backend(touchFarm.provider("touchfarm", Set.of(TouchImageRequest.class)))
        .build();
    CloudImageRequest cloud = ImageRequest.cloud().image("https://images.example.org/base.img")
        .series("jammy").packages("hello").build();
    TouchImageRequest touch = ImageRequest.touch().systemImageServer("https://si.example.org")
        .channel("20.04/arm64/android9plus/stable").devices("FP4", "pinephone").series("focal").build();

    BuildBatch batch = builder.submitAll(List.of(cloud, touch, oci("redis")));
    farm.finishAll();
    touchFarm.finishAll();
    List<BuildResult> results = batch.results().orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(batch.handles()).extracting(BuildHandle::backend).containsExactly("farm", "touchfarm", "farm");
    assertThat(results.get(1).targets()).extracting(TargetStatus::key).containsExactly("FP4", "pinephone");
    assertThat(results).allMatch(BuildResult::succeeded);
    assertThat(batch.succeeded()).isTrue();
    assertThat(farm.submissions).hasValue(2);
    assertThat(touchFarm.submissions).hasValue(1);
  }

  @Test
  void aRequestNoBackendServesIsRejectedNamingEveryProvider() {
    TouchImageRequest touch = ImageRequest.touch().systemImageServer("https://si.example.org")
        .channel("stable").series("focal").build();

    assertThatThrownBy(() -> builder().submitAll(List.of(oci("redis"), touch)))
        .hasMessageContaining("[1]")
        .hasMessageContaining("no backend can serve touch requests");
    assertThat(farm.submissions).as("nothing submitted").hasValue(0);
  }

  @Test
  void planHasNoSideEffects() {
    var plan = builder().plan(oci("redis", "nginx"));
    assertThat(plan.targets()).hasSize(8);
    assertThat(plan.backend()).isEqualTo("farm");
    assertThat(farm.submissions).hasValue(0);
  }

  @Test
  void tenThousandTargetsAreTrackedWithAFewThreads() {
    String[] images = new String[100];
    for (int i = 0; i < images.length; i++) {
      images[i] = "image" + i;
    }
    List<String> series = dev.imagebuilder.api.Series.known().stream().limit(20)
        .map(dev.imagebuilder.api.Series::versionOrCodename).toList();
    OciImageRequest big = ImageRequest.oci().images(images).series(series)
        .architectures(Architecture.AMD64, Architecture.ARM64, Architecture.PPC64EL,
            Architecture.S390X, Architecture.RISCV64).build();
    farm.pollInterval = Duration.ofMillis(50);
    BuildHandle h = builder().submit(big);
    waitUntil("four polls", () -> farm.polls.get() > 3);

    long engineThreads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("imagebuilder-")).count();
    farm.finishAll();
    BuildResult r = h.await(Duration.ofSeconds(60));

    assertThat(r.targets()).hasSize(10_000);
    assertThat(r.succeeded()).isTrue();
    assertThat(engineThreads).isLessThanOrEqualTo(12);
  }

  static void waitUntil(String what, java.util.function.BooleanSupplier condition) {
    Await.until(what, Duration.ofSeconds(10), condition);
  }
}
