package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.FakeBackend.Call.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link FakeBackend} through the engine, as its users drive it. */
class FakeBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ImageRequest CLOUD = ImageRequest.cloud()
      .image("https://cloud-images.example.org/jammy.img").series("jammy").build();

  private final List<ImageBuilder> builders = new ArrayList<>();

  @AfterEach
  void tearDown() {
    builders.forEach(ImageBuilder::close);
    FakeBackend.discovered().reset();
  }

  private ImageBuilder builderOf(FakeBackend fake) {
    ImageBuilder b = ImageBuilder.newBuilder().discoverBackends(false).backend(fake.provider()).build();
    builders.add(b);
    return b;
  }

  private static List<TargetState> statesSeen(List<BuildEvent> events, String key) {
    return events.stream().filter(e -> e instanceof BuildEvent.TargetStateChanged c
            && c.current().key().equals(key))
        .map(e -> ((BuildEvent.TargetStateChanged) e).current().state()).toList();
  }

  @Test
  void aTargetWalksItsScriptOnePhaseAtATimeAndSucceedsWithItsOutputs() throws Exception {
    FakeBackend fake = FakeBackend.create();
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    BuildHandle h = builderOf(fake).submit(CLOUD);
    h.subscribe(events::add);

    FakeBackend.Build build = fake.awaitBuilds(1, WAIT).get(0);
    assertThat(build.id()).isEqualTo("fake-1");
    assertThat(build.clientBuildId()).isEqualTo(h.id());
    assertThat(build.request()).isEqualTo(CLOUD);
    assertThat(build.state()).as("the clock stands still").isEqualTo(TargetState.QUEUED);

    fake.advancePhases(3);
    BuildResult result = h.await(WAIT);

    assertThat(result.succeeded()).isTrue();
    assertThat(result.backend()).isEqualTo("fake");
    assertThat(result.targets()).singleElement().satisfies(t -> {
      assertThat(t.key()).isEqualTo("image");
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.rawState()).isEqualTo("succeeded");
      assertThat(t.outputs()).containsEntry("artifact", "fake-1/image");
      assertThat(t.attempt()).isEqualTo(1);
    });
    assertThat(fake.calls()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(Kind.SUBMIT);
      assertThat(c.buildId()).isEqualTo("fake-1");
      assertThat(c.targets()).containsExactly("image");
    });
    assertThat(fake.submittedRequests()).containsExactly(CLOUD);
    assertThat(h.ticket().json()).contains("\"build\":\"fake-1\"");
  }

  /** The README's example, as written there. */
  @Test
  void theReadmeExampleRunsAsWritten() throws Exception {
    FakeBackend fake = FakeBackend.create()
        .script("image", TargetScript.failsToPublish("registry said 401"), TargetScript.succeeds());
    ImageBuilder builder = builderOf(fake);
    BuildHandle h = builder.submit(CLOUD);
    fake.advancePhases(3);
    assertThat(h.await(WAIT).failedTargets()).hasSize(1);
    BuildHandle retried = h.retry();
    fake.advancePhases(3);
    assertThat(retried.await(WAIT).succeeded()).isTrue();
    assertThat(fake.calls(Kind.RETRY)).hasSize(1);
  }

  @Test
  void statesAreReportedInTheScriptsOrderWhenTheClockMovesStepByStep() throws Exception {
    FakeBackend fake = FakeBackend.create();
    fake.script("image", TargetScript.of(TargetState.QUEUED, TargetState.BUILDING,
        TargetState.PUBLISHING, TargetState.SUCCEEDED).withOutputs(Map.of("sha256", "ab12")));
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    CompletableFuture<BuildEvent> completion = new CompletableFuture<>();
    BuildHandle h = builderOf(fake).submit(CLOUD);
    h.subscribe(e -> {
      events.add(e);
      if (e instanceof BuildEvent.Completed) {
        completion.complete(e);
      }
    });
    String id = fake.onlyBuild().id();

    for (TargetState next : List.of(TargetState.BUILDING, TargetState.PUBLISHING)) {
      fake.advancePhases(1);
      // A poll reads, reports, then schedules the next: a second read means the first was reported.
      fake.awaitReads(id, 2, WAIT);
      assertThat(h.targets()).singleElement().satisfies(t -> assertThat(t.state()).isEqualTo(next));
    }
    fake.advancePhases(1);

    assertThat(h.await(WAIT).targets().get(0).outputs()).containsExactly(Map.entry("sha256", "ab12"));
    completion.get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // events reach listeners after the result
    assertThat(statesSeen(events, "image")).containsExactly(
        TargetState.BUILDING, TargetState.PUBLISHING, TargetState.SUCCEEDED);
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(TargetScript.failsToBuild("compile error"), TargetState.FAILED_TO_BUILD, "compile error"),
        Arguments.of(TargetScript.failsToPublish("registry said 401"), TargetState.FAILED_TO_PUBLISH,
            "registry said 401"),
        Arguments.of(TargetScript.superseded(), TargetState.SUPERSEDED, null),
        Arguments.of(TargetScript.of(TargetState.FAILED_TO_BUILD), TargetState.FAILED_TO_BUILD,
            "scripted failed to build"),
        Arguments.of(TargetScript.of(TargetState.BUILDING, TargetState.CANCELLED), TargetState.CANCELLED,
            "cancelled"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void eachFailureStateEndsTheBuildAsAFailedResult(TargetScript script, TargetState end, String error)
      throws Exception {
    FakeBackend fake = FakeBackend.create().script("image", script);
    BuildHandle h = builderOf(fake).submit(CLOUD);
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(script.states().size());

    BuildResult result = h.await(WAIT);

    assertThat(result.succeeded()).isFalse();
    assertThat(result.targets()).singleElement().satisfies(t -> {
      assertThat(t.state()).isEqualTo(end);
      assertThat(t.errorSummary()).isEqualTo(error);
      assertThat(t.outputs()).isEmpty();
    });
    assertThat(fake.onlyBuild().state()).isEqualTo(end);
  }

  @Test
  void eachTargetFollowsItsOwnScript() throws Exception {
    FakeBackend fake = FakeBackend.create().script("FP5", TargetScript.failsToPublish("mirror full"));
    TouchImageRequest touch = ImageRequest.touch().systemImageServer("https://system-image.example.org")
        .channel("20.04/arm64/android9plus/stable").devices("FP4", "FP5").series("focal").build();
    BuildHandle h = builderOf(fake).submit(touch);
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(4);

    BuildResult result = h.await(WAIT);
    assertThat(result.targets()).extracting(TargetStatus::key, TargetStatus::state).containsExactly(
        org.assertj.core.groups.Tuple.tuple("FP4", TargetState.SUCCEEDED),
        org.assertj.core.groups.Tuple.tuple("FP5", TargetState.FAILED_TO_PUBLISH));
    assertThat(result.failedTargets()).singleElement()
        .satisfies(t -> assertThat(t.errorSummary()).isEqualTo("mirror full"));
  }

  @Test
  void ociRequestsFanOutPerImageSeriesAndArchitecture() {
    FakeBackend fake = FakeBackend.create();
    ImageRequest oci = ImageRequest.oci().images("redis", "postgres").series("22.04")
        .architectures(dev.imagebuilder.api.Architecture.AMD64, dev.imagebuilder.api.Architecture.ARM64).build();
    assertThat(builderOf(fake).plan(oci).targets()).extracting(p -> p.key()).containsExactly(
        "redis/22.04/amd64", "redis/22.04/arm64", "postgres/22.04/amd64", "postgres/22.04/arm64");
  }

  @Test
  void aHangingTargetStaysUntilCancelledAndTheCancelReachesTheFake() throws Exception {
    FakeBackend fake = FakeBackend.create().defaultScript(TargetScript.hangs());
    BuildHandle h = builderOf(fake).submit(CLOUD);
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(100);
    assertThat(fake.onlyBuild().state()).isEqualTo(TargetState.BUILDING);

    h.cancel().get();

    assertThatThrownBy(() -> h.await(WAIT)).isInstanceOf(BuildCancelledException.class);
    assertThat(h.status()).isEqualTo(BuildStatus.CANCELLED);
    assertThat(fake.calls(Kind.CANCEL)).singleElement().satisfies(c -> {
      assertThat(c.buildId()).isEqualTo("fake-1");
      assertThat(c.clientBuildId()).isEqualTo(h.id());
      assertThat(c.targets()).containsExactly("image");
    });
    assertThat(fake.onlyBuild().state()).isEqualTo(TargetState.CANCELLED);
  }

  @Test
  void readsCountTheClientsPollsWhichStopWhenTheBuildEnds() throws Exception {
    FakeBackend fake = FakeBackend.create().defaultScript(TargetScript.of(TargetState.BUILDING));
    BuildHandle h = builderOf(fake).submit(CLOUD);
    String id = fake.onlyBuild().id();
    fake.awaitReads(id, 3, WAIT);

    fake.finish(id, TargetState.SUCCEEDED);
    fake.awaitReads(id, 1, WAIT); // the client has seen the end
    assertThat(h.await(WAIT).succeeded()).isTrue();
    long after = fake.reads(id);
    // Another build polled meanwhile is the clock: the finished one is no longer read.
    h = builderOf(fake).submit(CLOUD);
    fake.awaitReads("fake-2", 5, WAIT);
    assertThat(fake.reads(id)).isEqualTo(after);
    assertThatThrownBy(() -> fake.reads("fake-9")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void finishSetsAStateOnDemandWhateverTheScript() throws Exception {
    FakeBackend fake = FakeBackend.create().defaultScript(TargetScript.of(TargetState.BUILDING));
    BuildHandle h = builderOf(fake).submit(CLOUD);
    String id = fake.awaitBuilds(1, WAIT).get(0).id();

    fake.finish(id, TargetState.FAILED_TO_PUBLISH);

    assertThat(h.await(WAIT).targets().get(0).state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThatThrownBy(() -> fake.finish("fake-9", TargetState.SUCCEEDED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fake-9")
        .hasMessageContaining("fake-1");
  }

  @Test
  void retryRunsTheFailedTargetsNextAttemptInPlaceWithItsNextScript() throws Exception {
    FakeBackend fake = FakeBackend.create()
        .script("FP4", TargetScript.failsToBuild("out of space"), TargetScript.succeeds());
    TouchImageRequest touch = ImageRequest.touch().systemImageServer("https://system-image.example.org")
        .channel("20.04/arm64/android9plus/stable").devices("FP4", "FP5").series("focal").build();
    BuildHandle first = builderOf(fake).submit(touch);
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(4);
    assertThat(first.await(WAIT).failedTargets()).extracting(TargetStatus::key).containsExactly("FP4");

    BuildHandle second = first.retry();
    fake.awaitCalls(Kind.RETRY, 1, WAIT);
    fake.advancePhases(4);
    BuildResult result = second.await(WAIT);

    assertThat(result.succeeded()).isTrue();
    assertThat(result.targets()).singleElement().satisfies(t -> {
      assertThat(t.key()).isEqualTo("FP4");
      assertThat(t.attempt()).isEqualTo(2);
    });
    assertThat(fake.calls(Kind.RETRY)).singleElement().satisfies(c -> {
      assertThat(c.buildId()).isEqualTo("fake-1");
      assertThat(c.targets()).containsExactly("FP4");
    });
    assertThat(fake.calls(Kind.SUBMIT)).as("retried in place, not submitted again").hasSize(1);
    assertThat(fake.onlyBuild().target("FP4").attempt()).isEqualTo(2);
  }

  @Test
  void anotherBuilderResumesFromTheTicketWithoutSubmittingAgain() throws Exception {
    FakeBackend fake = FakeBackend.create();
    ImageBuilder first = builderOf(fake);
    BuildHandle h = first.submit(CLOUD);
    fake.awaitBuilds(1, WAIT);
    Ticket ticket = h.ticket();
    first.close(); // the process stops; the build goes on remotely

    fake.advancePhases(1);
    BuildHandle resumed = builderOf(fake).resume(ticket);
    fake.advancePhases(3);
    BuildResult result = resumed.await(WAIT);

    assertThat(result.succeeded()).isTrue();
    assertThat(resumed.id()).isEqualTo(h.id());
    assertThat(fake.calls()).extracting(FakeBackend.Call::kind).containsExactly(Kind.SUBMIT, Kind.RESUME);
    assertThat(fake.calls(Kind.RESUME)).singleElement()
        .satisfies(c -> assertThat(c.buildId()).isEqualTo("fake-1"));
    assertThat(fake.builds()).hasSize(1);
  }

  @Test
  void checkpointsRecordTheIntentBeforeTheSubmitAndTheBuildAfterIt() throws Exception {
    FakeBackend fake = FakeBackend.create();
    List<String> seen = new CopyOnWriteArrayList<>();
    BuildHandle h = builderOf(fake).submit(CLOUD,
        (id, t) -> seen.add(fake.builds().size() + " " + t.json()));
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(4);
    h.await(WAIT);

    assertThat(seen.get(0)).startsWith("0 ").contains("\"intent\":\"submit\"").contains("\"image\"")
        .doesNotContain("\"build\"");
    assertThat(seen.get(1)).startsWith("1 ").contains("\"build\":\"fake-1\"").doesNotContain("intent");
  }

  @Test
  void aTicketWithTheIntentButNotTheAnswerIsReconciledWithTheBuildThatWasMade() throws Exception {
    FakeBackend fake = FakeBackend.create();
    List<Ticket> recorded = new CopyOnWriteArrayList<>();
    ImageBuilder first = builderOf(fake);
    first.submit(CLOUD, (id, t) -> recorded.add(t));
    fake.awaitBuilds(1, WAIT);
    first.close();

    // What a process killed between the submit and recording its answer leaves behind.
    Ticket intentOnly = recorded.get(0);
    assertThat(intentOnly.json()).contains("\"intent\":\"submit\"");
    BuildHandle resumed = builderOf(fake).resume(intentOnly);
    fake.advancePhases(4);

    assertThat(resumed.await(WAIT).succeeded()).isTrue();
    assertThat(fake.calls(Kind.RESUME)).singleElement()
        .satisfies(c -> assertThat(c.buildId()).isEqualTo("fake-1"));
    assertThat(fake.builds()).hasSize(1);
  }

  @Test
  void aBuildWhoseIntentCouldNotBeJournaledSubmitsNothingAndItsResumeSaysSoThenRetrySubmits()
      throws Exception {
    FakeBackend fake = FakeBackend.create();
    List<Ticket> recorded = new CopyOnWriteArrayList<>();
    ImageBuilder builder = builderOf(fake);
    assertThatThrownBy(() -> builder.submit(CLOUD, (id, t) -> {
      recorded.add(t);
      throw new IllegalStateException("disk full");
    })).isInstanceOf(ImageBuildException.class).hasMessageContaining("disk full");
    assertThat(fake.builds()).as("nothing submitted after a failed checkpoint").isEmpty();

    BuildHandle resumed = builderOf(fake).resume(recorded.get(0));
    BuildResult result = resumed.await(WAIT);
    assertThat(result.targets()).singleElement().satisfies(t -> {
      assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
      assertThat(t.errorSummary()).contains("never submitted");
    });
    assertThat(fake.calls(Kind.RESUME)).singleElement().satisfies(c -> assertThat(c.buildId()).isNull());

    BuildHandle again = resumed.retry();
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(4);
    assertThat(again.await(WAIT).succeeded()).isTrue();
    assertThat(fake.calls(Kind.SUBMIT)).hasSize(1);
  }

  @Test
  void aHeldSubmissionPlansNothingUntilReleased() throws Exception {
    FakeBackend fake = FakeBackend.create().holdSubmissions();
    BuildHandle h = builderOf(fake).submit(CLOUD);
    assertThat(h.targets()).isEmpty();
    assertThat(fake.builds()).isEmpty();

    fake.releaseSubmissions();
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(4);
    assertThat(h.await(WAIT).succeeded()).isTrue();
  }

  @Test
  void aRealTimeFakeRunsByItself() throws Exception {
    FakeBackend fake = FakeBackend.newBuilder().realTime(Duration.ofMillis(5)).build();
    assertThat(builderOf(fake).submit(CLOUD).await(WAIT).succeeded()).isTrue();
  }

  @Test
  void awaitingWhatNeverComesFailsNamingWhatWasAwaited() {
    FakeBackend fake = FakeBackend.create();
    assertThatThrownBy(() -> fake.awaitBuilds(1, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("1 build(s)");
    assertThatThrownBy(fake::onlyBuild).isInstanceOf(AssertionError.class);
  }

  @Test
  void servesOnlyTheTypesItIsGivenUnderItsOwnName() {
    FakeBackend fake = FakeBackend.newBuilder().name("farm").serves(TouchImageRequest.class).build();
    ImageBuilder builder = builderOf(fake);
    assertThat(builder.backendNames()).containsExactly("farm");
    assertThatThrownBy(() -> builder.submit(CLOUD)).isInstanceOf(NoBackendAvailableException.class);
  }

  @Test
  void targetsCanBeNamedByTheTest() throws Exception {
    FakeBackend fake = FakeBackend.newBuilder().targets(r -> List.of("a", "b")).build();
    BuildHandle h = builderOf(fake).submit(CLOUD);
    fake.awaitBuilds(1, WAIT);
    fake.advancePhases(4);
    assertThat(h.await(WAIT).targets()).extracting(TargetStatus::key).containsExactly("a", "b");
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndTheValue() {
    assertThatThrownBy(TargetScript::of).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("states");
    assertThatThrownBy(() -> TargetScript.of(TargetState.SUCCEEDED, TargetState.BUILDING))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SUCCEEDED is terminal");
    assertThatThrownBy(() -> FakeBackend.newBuilder().name("Not A Name"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Not A Name'");
    assertThatThrownBy(() -> FakeBackend.newBuilder().phase(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("phase");
    assertThatThrownBy(() -> FakeBackend.create().script("image"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image");
    assertThatThrownBy(() -> FakeBackend.create().advancePhases(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");

    FakeBackend fake = FakeBackend.create();
    ImageRequest noImages = ImageRequest.oci().series("22.04")
        .architectures(dev.imagebuilder.api.Architecture.AMD64).build();
    assertThatThrownBy(() -> builderOf(fake).submit(noImages))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("images");
    assertThat(fake.calls()).isEmpty();
  }

  @Test
  void theDiscoveredProviderTakesNothingUnlessEnabledOrNamed() throws Exception {
    try (ImageBuilder plain = ImageBuilder.newBuilder().build()) {
      assertThat(plain.backendNames()).contains("fake");
      assertThatThrownBy(() -> plain.submit(CLOUD)).isInstanceOf(NoBackendAvailableException.class)
          .hasMessageContaining("imagebuilder.fake.enabled=true");
    }
    FakeBackend fake = FakeBackend.discovered();
    for (String[] config : List.of(new String[] {"fake.enabled", "true"},
        new String[] {"backend.cloud", "fake"})) {
      fake.reset();
      try (ImageBuilder builder = ImageBuilder.newBuilder().config(config[0], config[1]).build()) {
        BuildHandle h = builder.submit(CLOUD);
        fake.awaitBuilds(1, WAIT);
        fake.advancePhases(4);
        assertThat(h.await(WAIT).succeeded()).isTrue();
        assertThat(h.backend()).isEqualTo("fake");
        assertThat(fake.calls(Kind.SUBMIT)).hasSize(1);
      }
    }
    assertThat(java.util.ServiceLoader.load(dev.imagebuilder.spi.BackendProvider.class).stream()
        .map(p -> p.get().name())).contains("fake");
  }
}
