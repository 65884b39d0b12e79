package dev.imagebuilder.launchpad.internal.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.testing.JdkHttpService;
import dev.imagebuilder.launchpad.testing.MiniLaunchpad;
import dev.imagebuilder.launchpad.testing.RecordingBuildContext;
import dev.imagebuilder.spi.BuildJob;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.testkit.TestBackendContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("unchecked")
class OciBackendTest {
  static final List<String> ARCHS = List.of("amd64", "arm64", "s390x");
  static final String REDIS_22 = "~udi/udi/+oci/redis/+recipe/redis-22.04";
  static final String REDIS_24 = "~udi/udi/+oci/redis/+recipe/redis-24.04";
  static final String PG_22 = "~udi/udi/+oci/postgres/+recipe/postgres-22.04";
  static final String PG_24 = "~udi/udi/+oci/postgres/+recipe/postgres-24.04";

  @TempDir Path dir;
  MiniLaunchpad lp;
  Map<String, String> config = new HashMap<>();
  List<RecordingBuildContext> contexts = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    lp = new MiniLaunchpad();
    for (String r : List.of(REDIS_22, REDIS_24, PG_22, PG_24)) {
      lp.recipe(r, ARCHS, 1);
    }
    Path catalog = dir.resolve("catalog.json");
    Files.writeString(catalog, """
        {"template": {"owner": "udi", "project": "udi", "recipe": "{image}-{series}",
                      "images": {"redis": ["22.04", "24.04"], "postgres": ["22.04", "24.04"]}}}
        """);
    config.put("service-root", lp.root());
    config.put("catalog", catalog.toString());
    config.put("poll-interval", "20ms");
    config.put("upload-retry-backoff", "30ms");
    config.put("access-token", "TOKEN-VALUE");
    config.put("access-secret", "SECRET-VALUE");
  }

  @AfterEach
  void tearDown() {
    contexts.forEach(RecordingBuildContext::close);
    lp.close();
  }

  LaunchpadBackend backend() {
    return new LaunchpadBackend(TestBackendContext.of("launchpad", config).withHttp(new JdkHttpService()));
  }

  RecordingBuildContext context(ImageRequest r) {
    RecordingBuildContext c = new RecordingBuildContext(r);
    contexts.add(c);
    return c;
  }

  static Map<String, TargetStatus> await(RecordingBuildContext c) throws Exception {
    return c.done.get(20, TimeUnit.SECONDS);
  }

  @Test
  void massRebuildOfImagesSeriesAndArchitecturesSucceedsOnceUploaded() throws Exception {
    OciImageRequest request = ImageRequest.oci().build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    Map<String, TargetStatus> done = await(ctx);

    assertThat(done).hasSize(12);
    assertThat(done.values()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.rawState()).isEqualTo("Successfully built / Uploaded");
      assertThat(t.outputs()).containsEntry("published", "true").containsKey("build");
      assertThat(t.webLink().toString()).startsWith("https://launchpad.test/");
      assertThat(t.logUrl()).isNotNull();
    });
    assertThat(done.get("redis/22.04/arm64").labels()).containsEntry("image", "redis")
        .containsEntry("series", "22.04").containsEntry("arch", "arm64").containsEntry("recipe", lp.url(REDIS_22));
    assertThat(lp.count("POST /devel/~udi/udi/+oci/redis/+recipe/redis-22.04 requestBuilds")).isEqualTo(1);
    assertThat(lp.count("POST")).isEqualTo(4);
    // Builds are read through their build request's collection, never one by one.
    assertThat(lp.log.stream().filter(l -> l.startsWith("GET") && l.contains("/+build/"))).isEmpty();
    // The intermediate states were reported on the way.
    assertThat(ctx.updates).extracting(TargetStatus::state).contains(TargetState.BUILDING, TargetState.PUBLISHING);
  }

  @Test
  void onePollPerBuildRequestPerCycleWithPagesOf300() throws Exception {
    lp.pageSize = 2;
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    await(ctx);
    long collectionReads = lp.count("GET /devel/" + REDIS_22 + "/+build-request/");
    assertThat(lp.log).anyMatch(l -> l.contains("/builds"));
    // Three builds in pages of two: two GETs per cycle for the one request, whatever the build count.
    long buildsReads = lp.log.stream().filter(l -> l.endsWith("/builds")).count();
    assertThat(buildsReads % 2).isZero();
    assertThat(collectionReads).isGreaterThan(buildsReads);
  }

  @Test
  void architectureFilterCancelsUnwantedBuildsAndLeavesTheRecipeAsItWas() throws Exception {
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04")
        .architectures(Architecture.AMD64, Architecture.ARM64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    Map<String, TargetStatus> done = await(ctx);

    assertThat(done.keySet()).containsExactlyInAnyOrder("redis/22.04/amd64", "redis/22.04/arm64");
    assertThat(lp.processorsOf(REDIS_22)).isEqualTo(ARCHS);
    assertThat(lp.log).noneMatch(l -> l.contains("setProcessors"));
    assertThat(lp.builds()).filteredOn(b -> b.arch.equals("s390x")).singleElement()
        .satisfies(b -> assertThat(b.buildstate).isEqualTo("Cancelled build"));
    assertThat(lp.count("POST")).isEqualTo(2);
  }

  @Test
  void anUnwantedBuildWhoseCancelFailedIsCancelledOnALaterPoll() throws Exception {
    lp.recipe(REDIS_22, List.of("amd64", "arm64"), 1);
    List<String> slow = new java.util.ArrayList<>(java.util.Collections.nCopies(10, "Currently building / Unscheduled"));
    slow.addAll(MiniLaunchpad.HAPPY);
    lp.scripts.put("amd64", slow);
    lp.scripts.put("arm64", slow);
    lp.override("POST /devel/" + REDIS_22 + "/+build/", MiniLaunchpad.text(500, "Internal Server Error"));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    assertThat(await(ctx).get("redis/22.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(lp.log).filteredOn(l -> l.endsWith(" cancel")).hasSize(2);
    assertThat(lp.builds()).filteredOn(b -> b.arch.equals("arm64")).extracting(b -> b.buildstate)
        .containsExactly("Cancelled build");
  }

  @Test
  void failedUploadsAreRetriedWithBackoffUntilUploaded() throws Exception {
    lp.scripts.put("arm64", List.of("Needs building / Unscheduled", "Successfully built / Pending",
        "Successfully built / Failed to upload"));
    lp.uploadRetryScript = List.of("Successfully built / Pending", "Successfully built / Failed to upload");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").autoRetryUploads(3).build();
    RecordingBuildContext ctx = context(request);
    lp.uploadRetryScript = List.of("Successfully built / Pending", "Successfully built / Uploaded");
    backend().start(request, ctx);

    Map<String, TargetStatus> done = await(ctx);

    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(lp.count("POST /devel/" + REDIS_22 + "/+build/")).isEqualTo(1);
    assertThat(ctx.retries).singleElement().asString()
        .startsWith("redis/22.04/arm64 upload 1/3 in PT0.03S: registry refused: 401 unauthorized");
    // While the retry was pending the target was not reported as failed.
    assertThat(ctx.updates).filteredOn(t -> t.key().equals("redis/22.04/arm64"))
        .noneMatch(t -> t.state() == TargetState.FAILED_TO_PUBLISH)
        .anyMatch(t -> t.state() == TargetState.PUBLISHING && t.errorSummary() != null);
  }

  @Test
  void uploadRetriesStopAtTheLimitWithTheRegistryError() throws Exception {
    lp.scripts.put("amd64", List.of("Successfully built / Failed to upload"));
    lp.uploadRetryScript = List.of("Successfully built / Pending", "Successfully built / Failed to upload");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04")
        .architectures(Architecture.AMD64).autoRetryUploads(2).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    TargetStatus t = await(ctx).get("redis/22.04/amd64");

    assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(t.rawState()).isEqualTo("Successfully built / Failed to upload");
    assertThat(t.errorSummary()).contains("registry refused: 401 unauthorized").contains("UNAUTHORIZED");
    assertThat(lp.log).filteredOn(l -> l.endsWith("scheduleRegistryUpload")).hasSize(2);
    assertThat(ctx.retries).hasSize(2).last().asString().contains("upload 2/2 in PT0.06S");
  }

  @Test
  void anUploadRetryRefusedByLaunchpadStaysFailedAndIsNotScheduledAgain() throws Exception {
    lp.recipe(REDIS_22, List.of("amd64", "arm64"), 1);
    lp.scripts.put("amd64", List.of("Successfully built / Failed to upload"));
    // arm64 keeps the build request open for many more cycles after the refusal.
    List<String> slow = new java.util.ArrayList<>(java.util.Collections.nCopies(40, "Currently building / Unscheduled"));
    slow.add("Successfully built / Uploaded");
    lp.scripts.put("arm64", slow);
    lp.override("POST /devel/" + REDIS_22 + "/+build/",
        MiniLaunchpad.text(400, "Cannot upload this build because it has no files."));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").autoRetryUploads(3).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    Map<String, TargetStatus> done = await(ctx);

    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.SUCCEEDED);
    TargetStatus amd64 = done.get("redis/22.04/amd64");
    assertThat(amd64.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(amd64.errorSummary()).isEqualTo("Cannot upload this build because it has no files.");
    assertThat(lp.log).filteredOn(l -> l.endsWith("scheduleRegistryUpload")).hasSize(1);
    List<TargetState> amd64States = ctx.updates.stream().filter(u -> u.key().equals("redis/22.04/amd64"))
        .map(TargetStatus::state).toList();
    // Once failed for good it does not turn back into PUBLISHING.
    assertThat(amd64States.subList(amd64States.indexOf(TargetState.FAILED_TO_PUBLISH), amd64States.size()))
        .containsOnly(TargetState.FAILED_TO_PUBLISH);
  }

  @Test
  void noAutoRetryMeansFailedToPublishAtOnce() throws Exception {
    lp.scripts.put("amd64", List.of("Successfully built / Failed to upload"));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThat(await(ctx).get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(lp.log).noneMatch(l -> l.endsWith("scheduleRegistryUpload"));
  }

  @Test
  void noPushRulesMeansSucceededButNotPublished() throws Exception {
    lp.recipe(REDIS_22, List.of("amd64"), 0);
    lp.scripts.put("amd64", List.of("Currently building / Unscheduled", "Successfully built / Unscheduled"));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    TargetStatus t = await(ctx).get("redis/22.04/amd64");
    assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(t.outputs()).containsEntry("published", "false");
  }

  @Test
  void buildStatesMapToTargetStates() throws Exception {
    lp.scripts.put("amd64", List.of("Failed to build / Unscheduled"));
    lp.scripts.put("arm64", List.of("Successfully built / Superseded"));
    lp.scripts.put("s390x", List.of("Cancelling build / Unscheduled", "Cancelled build / Unscheduled"));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(done.get("redis/22.04/amd64").errorSummary()).isEqualTo("Failed to build");
    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.SUPERSEDED);
    assertThat(done.get("redis/22.04/s390x").state()).isEqualTo(TargetState.CANCELLED);
    assertThat(ctx.updates).anyMatch(t -> t.state() == TargetState.CANCELLING);
  }

  @Test
  void identicalBuildPendingIsReportedOnItsTargetsNotAsACrash() throws Exception {
    lp.failRequestsWith = "An identical build of this OCI recipe is already pending.";
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(done.values()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
      assertThat(t.errorSummary()).isEqualTo("An identical build of this OCI recipe is already pending.");
    });
  }

  @Test
  void refusedRequestBuildsCarriesLaunchpadsText() throws Exception {
    lp.override("POST /devel/" + REDIS_22 + " requestBuilds",
        MiniLaunchpad.text(400, "An identical build of this OCI recipe is already pending."));
    OciImageRequest request = ImageRequest.oci().images("redis").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(done.get("redis/22.04/amd64").errorSummary()).isEqualTo("An identical build of this OCI recipe is already pending.");
    assertThat(done.get("redis/24.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
  }

  @Test
  void requestBuildsRefusedWith503WaitsForRetryAfterThenAsksAgain() throws Exception {
    lp.override("POST /devel/" + REDIS_22 + " requestBuilds", new MockResponse.Builder().code(503)
        .setHeader("Retry-After", "1").body("Launchpad is offline for maintenance").build());
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    long start = System.nanoTime();
    backend().start(request, ctx);
    eventually(() -> lp.count("POST /devel/" + REDIS_22 + " requestBuilds") == 2);
    // Retry-After (1 s) was honoured although the poll interval is 20 ms.
    assertThat(System.nanoTime() - start).isGreaterThan(900_000_000L);
    assertThat(await(ctx).values()).allMatch(t -> t.state() == TargetState.SUCCEEDED);
    assertThat(lp.count("POST /devel/" + REDIS_22 + " requestBuilds")).isEqualTo(2);
  }

  static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void lostAnswerToRequestBuildsIsNotSentAgainBlindly() throws Exception {
    assertRequestBuildsIsNotSentAgainAfter(
        new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
  }

  @Test
  void requestBuildsAnsweredWith500WithoutAnOopsIdIsNotSentAgain() throws Exception {
    // A 500 without X-Lazr-OopsId comes from something in front of Launchpad: it may have acted.
    assertRequestBuildsIsNotSentAgainAfter(MiniLaunchpad.text(500, "Internal Server Error"));
  }

  void assertRequestBuildsIsNotSentAgainAfter(MockResponse answer) throws Exception {
    lp.override("POST /devel/" + REDIS_22 + " requestBuilds", answer);
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(done.values()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.UNCONFIRMED);
      assertThat(t.errorSummary()).contains("cannot be checked").contains("retry this target by name");
    });
    // Recorded as sent before it went out (one record for the cycle), and as unanswered after.
    assertThat(ctx.checkpoints.get(0).toString()).contains("phase=REQUESTING");
    assertThat(ctx.checkpoints.get(ctx.checkpoints.size() - 1).toString()).contains("phase=UNKNOWN");
    assertThat(lp.count("POST /devel/" + REDIS_22 + " requestBuilds")).isEqualTo(1);
  }

  @Test
  void transientErrorsWhilePollingAreSurvived() throws Exception {
    MockResponse unavailable = MiniLaunchpad.text(503, "Launchpad is offline for maintenance");
    for (int i = 0; i < 3; i++) {
      lp.override("GET /devel/" + REDIS_22 + "/+build-request/", unavailable, unavailable, unavailable, unavailable,
          unavailable, new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    }
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThat(await(ctx).values()).allMatch(t -> t.state() == TargetState.SUCCEEDED);
    assertThat(lp.count("POST /devel/" + REDIS_22 + " requestBuilds")).isEqualTo(1);
  }

  @Test
  void expiredTokenFailsFastWithAClearMessage() {
    config.put("access-token", "expired");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThatThrownBy(() -> await(ctx)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Expired token")
        .hasMessageContaining("image-builder login")
        .hasMessageNotContaining("SECRET-VALUE");
    assertThat(lp.count("POST")).isZero();
  }

  @Test
  void resumeReattachesWithoutRequestingAgain() throws Exception {
    lp.scripts.put("amd64", List.of("Needs building / Unscheduled", "Needs building / Unscheduled",
        "Needs building / Unscheduled", "Currently building / Unscheduled", "Successfully built / Pending",
        "Successfully built / Uploaded"));
    OciImageRequest request = ImageRequest.oci().images("redis").build();
    RecordingBuildContext first = context(request);
    BuildJob job = backend().start(request, first);
    // Wait until builds exist, then "kill" the first process.
    long deadline = System.currentTimeMillis() + 10_000;
    while ((first.targets().isEmpty()
        || first.targets().values().stream().anyMatch(t -> !t.outputs().containsKey("build")))
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    Map<String, Object> state = job.state();
    first.close();
    assertThat(first.targets().values()).noneMatch(t -> t.state().isTerminal());
    assertThat(state.toString()).doesNotContain("SECRET-VALUE").doesNotContain("TOKEN-VALUE");
    long posts = lp.count("POST");

    RecordingBuildContext second = context(request);
    backend().resume(request, roundTrip(state), second);
    Map<String, TargetStatus> done = await(second);

    assertThat(done).hasSize(6).allSatisfy((k, t) -> assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED));
    assertThat(lp.count("POST")).isEqualTo(posts);
    assertThat(lp.count("POST /devel/" + REDIS_22 + " requestBuilds")).isEqualTo(1);
  }

  @Test
  void retryRetriesFailedBuildsInPlaceAndReschedulesFailedUploads() throws Exception {
    lp.scripts.put("amd64", List.of("Failed to build / Unscheduled"));
    lp.scripts.put("arm64", List.of("Successfully built / Failed to upload"));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext first = context(request);
    BuildJob job = backend().start(request, first);
    Map<String, TargetStatus> done = await(first);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(done.get("redis/22.04/s390x").state()).isEqualTo(TargetState.SUCCEEDED);
    lp.scripts.clear();

    RecordingBuildContext second = context(request);
    backend().retry(request, roundTrip(job.state()), Set.of("redis/22.04/amd64", "redis/22.04/arm64"), second);
    Map<String, TargetStatus> retried = await(second);

    assertThat(retried.keySet()).containsExactlyInAnyOrder("redis/22.04/amd64", "redis/22.04/arm64");
    assertThat(retried.values()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.attempt()).isEqualTo(2);
    });
    assertThat(lp.log).filteredOn(l -> l.endsWith(" retry")).hasSize(1);
    assertThat(lp.log).filteredOn(l -> l.endsWith(" scheduleRegistryUpload")).hasSize(1);
    assertThat(lp.count("POST /devel/" + REDIS_22 + " requestBuilds")).isEqualTo(1);
  }

  @Test
  void retryOfABuildThatCannotBeRetriedRequestsANewOne() throws Exception {
    lp.override("POST /devel/" + REDIS_22 + " requestBuilds",
        MiniLaunchpad.text(400, "An identical build of this OCI recipe is already pending."));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext first = context(request);
    BuildJob job = backend().start(request, first);
    assertThat(await(first).get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);

    RecordingBuildContext second = context(request);
    backend().retry(request, roundTrip(job.state()), Set.of("redis/22.04/amd64"), second);
    assertThat(await(second).get("redis/22.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(lp.count("POST /devel/" + REDIS_22 + " requestBuilds")).isEqualTo(2);
  }

  @Test
  void newRunsAfterARestoreWithGapsInRunIdsGetFreshIds() {
    // Regression: after a restore with a gap in run ids (r0, r2), a new run was named "r2" too,
    // so a later ticket could attach targets to the wrong build request.
    Map<String, Object> run0 = new HashMap<>(Map.of("id", "r0", "image", "redis", "series", "22.04",
        "recipe", lp.url(REDIS_22), "push_rules", 1, "phase", "COMPLETED"));
    Map<String, Object> run2 = new HashMap<>(run0);
    run2.put("id", "r2");
    run2.put("recipe", lp.url(REDIS_24));
    run2.put("series", "24.04");
    Map<String, Object> state = Map.of("format", 1, "runs", List.of(run0, run2), "targets", List.of());
    OciImageRequest request = ImageRequest.oci().build();
    LaunchpadBackend backend = backend();
    OciBuildJob job = new OciBuildJob(backend.client(), LaunchpadSettings.from(
        Configuration.of("launchpad", config)), context(request), java.time.Clock.systemUTC());
    JobState.read(state, null, job.book());
    RecipeRun fresh = job.book().newRun(job.book().runs().get(1));
    assertThat(fresh.id).isNotIn("r0", "r2").isEqualTo("r3");
  }

  @Test
  void repeatedRetriesKeepRunIdsDistinct() throws Exception {
    lp.scripts.put("amd64", List.of("Failed to build / Unscheduled"));
    lp.retryScript = List.of("Failed to build / Unscheduled");
    MockResponse refused = MiniLaunchpad.text(400, "An identical build of this OCI recipe is already pending.");
    lp.override("POST /devel/" + REDIS_24 + " requestBuilds", refused, refused);
    OciImageRequest request = ImageRequest.oci().images("redis").architectures(Architecture.AMD64).build();
    Set<String> both = Set.of("redis/22.04/amd64", "redis/24.04/amd64");

    RecordingBuildContext first = context(request);
    BuildJob job = backend().start(request, first);
    await(first);
    RecordingBuildContext second = context(request);
    BuildJob retried = backend().retry(request, roundTrip(job.state()), both, second);
    await(second);
    lp.scripts.clear();
    RecordingBuildContext third = context(request);
    BuildJob again = backend().retry(request, roundTrip(retried.state()), both, third);
    Map<String, TargetStatus> done = await(third);

    List<Map<String, Object>> runs = (List<Map<String, Object>>) (List<?>) again.state().get("runs");
    assertThat(runs).extracting(r -> r.get("id")).doesNotHaveDuplicates();
    assertThat(done.get("redis/24.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(done.get("redis/24.04/amd64").attempt()).isEqualTo(3);
    assertThat(done.get("redis/22.04/amd64").attempt()).isEqualTo(3);
    assertThat(lp.log).filteredOn(l -> l.endsWith(" retry")).hasSize(2);
  }

  @Test
  void cancelReachesLaunchpad() throws Exception {
    lp.scripts.put("amd64", List.of("Needs building / Unscheduled"));
    lp.scripts.put("arm64", List.of("Currently building / Unscheduled"));
    lp.scripts.put("s390x", List.of("Successfully built / Uploaded"));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    BuildJob job = backend().start(request, ctx);
    long deadline = System.currentTimeMillis() + 10_000;
    while (ctx.targets().get("redis/22.04/arm64") == null
        || ctx.targets().get("redis/22.04/arm64").state() != TargetState.BUILDING) {
      assertThat(System.currentTimeMillis()).isLessThan(deadline);
      Thread.sleep(10);
    }
    job.cancel();
    assertThat(lp.log).filteredOn(l -> l.endsWith(" cancel")).hasSize(2);
    assertThat(lp.builds()).filteredOn(b -> !b.arch.equals("s390x"))
        .allSatisfy(b -> assertThat(b.buildstate).isEqualTo("Cancelled build"));
  }

  @Test
  void planResolvesTargetsWithoutSideEffects() {
    lp.recipe(PG_24, List.of("amd64"), 0);
    Plan plan = backend().plan(ImageRequest.oci().images("postgres")
        .architectures(Architecture.AMD64, Architecture.RISCV64).build());
    assertThat(plan.backend()).isEqualTo("launchpad");
    assertThat(plan.targets()).extracting(PlannedTarget::key)
        .containsExactly("postgres/22.04/amd64", "postgres/24.04/amd64");
    assertThat(plan.notes()).anyMatch(n -> n.contains("does not build riscv64"))
        .anyMatch(n -> n.contains("will be cancelled"))
        .anyMatch(n -> n.contains("no push rules"));
    assertThat(lp.count("POST")).isZero();
  }

  @Test
  void pushRulesThatCannotBeReadForAServerErrorAreNotTakenForNoPushRules() {
    lp.override("GET /devel/" + REDIS_22 + "/push-rules", MiniLaunchpad.text(500, "proxy error"));
    assertThatThrownBy(() -> backend().plan(ImageRequest.oci().images("redis").series("22.04").build()))
        .isInstanceOf(dev.imagebuilder.api.RemoteServiceException.class).hasMessageContaining("proxy error");
  }

  @Test
  void pushRulesHiddenFromTheAccountAreUnknownNotAFailure() {
    lp.override("GET /devel/" + REDIS_22 + "/push-rules", MiniLaunchpad.text(401, "Unauthorized"));
    Plan plan = backend().plan(ImageRequest.oci().images("redis").series("22.04").build());
    assertThat(plan.notes()).anyMatch(n -> n.contains("push rules could not be read"));
  }

  @Test
  void aFailedPushRulesReadIsRetriedBeforeABuiltImageIsJudged() throws Exception {
    // Built and never scheduled: with push rules that is not a success, so the rules must be
    // known. They are read only then (a build that gets its upload scheduled never needs them).
    lp.scripts.put("amd64", List.of("Currently building / Unscheduled", "Successfully built / Unscheduled"));
    lp.override("GET /devel/" + REDIS_22 + "/push-rules", MiniLaunchpad.text(500, "proxy error"));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(lp.count("GET /devel/" + REDIS_22 + "/push-rules")).isEqualTo(2);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
  }

  @Test
  void aBuildWhoseUploadIsScheduledNeverReadsThePushRules() throws Exception {
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThat(await(ctx).get("redis/22.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(lp.count("GET /devel/" + REDIS_22 + "/push-rules")).isZero();
  }

  @Test
  void unknownImageIsRejectedBeforeAnyWork() {
    OciImageRequest request = ImageRequest.oci().images("mysql").build();
    assertThatThrownBy(() -> backend().start(request, context(request)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'mysql'").hasMessageContaining("redis, postgres");
    assertThat(lp.log).isEmpty();
  }

  @Test
  void missingRecipeFailsNamingIt() {
    config.put("catalog", write("{\"recipes\": {\"nginx\": {\"22.04\": \"~x/y/+oci/nginx/+recipe/gone\"}}}"));
    OciImageRequest request = ImageRequest.oci().build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThatThrownBy(() -> await(ctx)).cause().isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("nginx 22.04").hasMessageContaining("+recipe/gone");
  }

  String write(String catalog) {
    try {
      Path p = Files.createTempFile(dir, "cat", ".json");
      Files.writeString(p, catalog);
      return p.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Tickets travel as JSON: the state must survive that. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> roundTrip(Map<String, Object> state) throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
    return m.readValue(m.writeValueAsString(state), Map.class);
  }
}
