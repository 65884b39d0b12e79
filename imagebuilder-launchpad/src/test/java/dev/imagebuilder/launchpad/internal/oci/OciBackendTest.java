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
import dev.imagebuilder.launchpad.testing.RecordingBuildContext;
import dev.imagebuilder.spi.BuildJob;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.testkit.FakeBuild;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.LaunchpadCredentials;
import dev.imagebuilder.testkit.RecipeHandle;
import dev.imagebuilder.testkit.RecordedCall;
import dev.imagebuilder.testkit.TestBackendContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI backend's job against the test kit's {@link FakeLaunchpad}. The fake's build farm runs on
 * its manual clock, moved one phase before each of the job's poll cycles (see {@link #context}),
 * so each read sees the farm one step further, whatever the machine's speed.
 */
@SuppressWarnings("unchecked")
class OciBackendTest {
  static final String[] ARCHS = {"amd64", "arm64", "s390x"};
  static final String OWNER = "udi";
  static final String IDENTICAL_PENDING = "An identical build of this OCI recipe is already pending.";

  @TempDir Path dir;
  FakeLaunchpad lp;
  RecipeHandle redis22;
  RecipeHandle redis24;
  RecipeHandle pg22;
  RecipeHandle pg24;
  LaunchpadCredentials credentials;
  Map<String, String> config = new HashMap<>();
  List<RecordingBuildContext> contexts = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    start(FakeLaunchpad.builder());
  }

  /** (Re)starts the fake from {@code builder} with the four recipes (three architectures, one push rule each). */
  void start(FakeLaunchpad.Builder builder) throws Exception {
    if (lp != null) {
      lp.close();
    }
    lp = builder.start();
    redis22 = recipe("redis", "22.04");
    redis24 = recipe("redis", "24.04");
    pg22 = recipe("postgres", "22.04");
    pg24 = recipe("postgres", "24.04");
    credentials = lp.credentials();
    Path catalog = dir.resolve("catalog.json");
    Files.writeString(catalog, """
        {"template": {"owner": "udi", "project": "udi", "recipe": "{image}-{series}",
                      "images": {"redis": ["22.04", "24.04"], "postgres": ["22.04", "24.04"]}}}
        """);
    config.put("service-root", lp.serviceRoot().toString());
    config.put("catalog", catalog.toString());
    config.put("poll-interval", "20ms");
    config.put("upload-retry-backoff", "30ms");
    config.put("consumer-key", credentials.consumerKey());
    config.put("access-token", credentials.accessToken());
    config.put("access-secret", credentials.accessSecret());
  }

  RecipeHandle recipe(String image, String series) {
    return lp.addRecipe(OWNER, OWNER, image, image + "-" + series)
        .processors(ARCHS).pushRule("https://registry.example", "udi/" + image, "bot");
  }

  @AfterEach
  void tearDown() {
    contexts.forEach(RecordingBuildContext::close);
    lp.close();
  }

  LaunchpadBackend backend() {
    return new LaunchpadBackend(TestBackendContext.of("launchpad", config).withHttp(new JdkHttpService()));
  }

  /** A context whose every scheduled task (each poll cycle) first moves the fake's farm one phase. */
  RecordingBuildContext context(ImageRequest r) {
    RecordingBuildContext c = new RecordingBuildContext(r).beforeEachTask(() -> lp.advancePhases(1));
    contexts.add(c);
    return c;
  }

  static Map<String, TargetStatus> await(RecordingBuildContext c) throws Exception {
    return c.done.get(20, TimeUnit.SECONDS);
  }

  // ---- the fake's journal ----------------------------------------------------------------

  /** The calls the fake received with this method, path (below the service root) and operation (null: any). */
  List<RecordedCall> calls(String method, Predicate<String> path, String wsOp) {
    String root = lp.serviceRoot().getPath();
    return lp.requests().stream()
        .filter(c -> method == null || c.method().equals(method))
        .filter(c -> c.path().startsWith(root) && path.test(c.path().substring(root.length())))
        .filter(c -> wsOp == null || wsOp.equals(c.wsOp()))
        .toList();
  }

  long posts() {
    return calls("POST", p -> true, null).size();
  }

  long posts(String wsOp) {
    return calls("POST", p -> true, wsOp).size();
  }

  long requestBuilds(RecipeHandle recipe) {
    return calls("POST", p -> p.equals(recipe.path()), "requestBuilds").size();
  }

  long pushRuleReads(RecipeHandle recipe) {
    return calls("GET", p -> p.equals(recipe.path() + "/push_rules"), null).size();
  }

  static FakeBuild build(RecipeHandle recipe, String arch) {
    return recipe.builds().stream().filter(b -> b.arch().equals(arch)).reduce((a, b) -> b).orElseThrow();
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
      assertThat(t.webLink().toString()).startsWith(lp.webRoot().toString());
      assertThat(t.logUrl()).isNotNull();
    });
    assertThat(done.get("redis/22.04/arm64").labels()).containsEntry("image", "redis")
        .containsEntry("series", "22.04").containsEntry("arch", "arm64").containsEntry("recipe", redis22.url());
    assertThat(requestBuilds(redis22)).isEqualTo(1);
    assertThat(posts()).isEqualTo(4);
    // Builds are read through their build request's collection, never one by one.
    assertThat(calls("GET", p -> p.contains("/+build/"), null)).isEmpty();
    // The intermediate states were reported on the way.
    assertThat(ctx.updates).extracting(TargetStatus::state).contains(TargetState.BUILDING, TargetState.PUBLISHING);
  }

  @Test
  void onePollPerBuildRequestPerCycleWithPagesOf300() throws Exception {
    start(FakeLaunchpad.builder().batchSize(2));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    await(ctx);
    long collectionReads = calls("GET", p -> p.startsWith(redis22.path() + "/+build-request/"), null).size();
    List<RecordedCall> buildsReads = calls("GET", p -> p.endsWith("/builds"), null);
    assertThat(buildsReads).isNotEmpty();
    // Three builds in pages of two: two GETs per cycle for the one request, whatever the build count.
    assertThat(buildsReads.size() % 2).isZero();
    assertThat(collectionReads).isGreaterThan(buildsReads.size());
  }

  @Test
  void architectureFilterCancelsUnwantedBuildsAndLeavesTheRecipeAsItWas() throws Exception {
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04")
        .architectures(Architecture.AMD64, Architecture.ARM64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    Map<String, TargetStatus> done = await(ctx);

    assertThat(done.keySet()).containsExactlyInAnyOrder("redis/22.04/amd64", "redis/22.04/arm64");
    assertThat(lp.recipeProcessors(redis22)).containsExactly(ARCHS);
    assertThat(posts("setProcessors")).isZero();
    assertThat(redis22.builds()).filteredOn(b -> b.arch().equals("s390x")).singleElement()
        .satisfies(b -> assertThat(b.buildstate()).isEqualTo("Cancelled build"));
    assertThat(posts()).isEqualTo(2);
  }

  @Test
  void anUnwantedBuildWhoseCancelFailedIsCancelledOnALaterPoll() throws Exception {
    redis22.processors("amd64", "arm64");
    lp.script(redis22, "arm64").waitsForABuilder(10);
    lp.faults().on("cancel").under(redis22.path()).answer(1, 500, "Internal Server Error");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    assertThat(await(ctx).get("redis/22.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(calls("POST", p -> true, "cancel")).extracting(RecordedCall::status).containsExactly(500, 200);
    assertThat(build(redis22, "arm64").buildstate()).isEqualTo("Cancelled build");
  }

  @Test
  void failedUploadsAreRetriedWithBackoffUntilUploaded() throws Exception {
    lp.script(redis22, "arm64").uploadFailsTimes(1, "UNAUTHORIZED", "registry refused: 401 unauthorized");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").autoRetryUploads(3).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    Map<String, TargetStatus> done = await(ctx);

    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(calls("POST", p -> p.startsWith(redis22.path() + "/+build/"), null))
        .extracting(RecordedCall::wsOp).containsExactly("scheduleRegistryUpload");
    assertThat(ctx.retries).singleElement().asString()
        .startsWith("redis/22.04/arm64 upload 1/3 in PT0.03S: ").contains("registry refused: 401 unauthorized");
    // While the retry was pending the target was not reported as failed.
    assertThat(ctx.updates).filteredOn(t -> t.key().equals("redis/22.04/arm64"))
        .noneMatch(t -> t.state() == TargetState.FAILED_TO_PUBLISH)
        .anyMatch(t -> t.state() == TargetState.PUBLISHING && t.errorSummary() != null);
  }

  @Test
  void uploadRetriesStopAtTheLimitWithTheRegistryError() throws Exception {
    lp.script(redis22, "amd64").uploadFailsTimes(3, "UNAUTHORIZED", "registry refused: 401 unauthorized");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04")
        .architectures(Architecture.AMD64).autoRetryUploads(2).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    TargetStatus t = await(ctx).get("redis/22.04/amd64");

    assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(t.rawState()).isEqualTo("Successfully built / Failed to upload");
    assertThat(t.errorSummary()).contains("registry refused: 401 unauthorized").contains("UNAUTHORIZED");
    assertThat(posts("scheduleRegistryUpload")).isEqualTo(2);
    assertThat(ctx.retries).hasSize(2).last().asString().contains("upload 2/2 in PT0.06S");
  }

  @Test
  void anUploadRetryRefusedByLaunchpadStaysFailedAndIsNotScheduledAgain() throws Exception {
    redis22.processors("amd64", "arm64");
    lp.script(redis22, "amd64").uploadFailsTimes(1);
    // arm64 keeps the build request open for many more cycles after the refusal.
    lp.script(redis22, "arm64").buildsFor(40);
    lp.faults().on("scheduleRegistryUpload").under(redis22.path())
        .answer(1, 400, "Cannot upload this build because it has no files.");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").autoRetryUploads(3).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);

    Map<String, TargetStatus> done = await(ctx);

    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.SUCCEEDED);
    TargetStatus amd64 = done.get("redis/22.04/amd64");
    assertThat(amd64.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(amd64.errorSummary()).isEqualTo("Cannot upload this build because it has no files.");
    assertThat(posts("scheduleRegistryUpload")).isEqualTo(1);
    List<TargetState> amd64States = ctx.updates.stream().filter(u -> u.key().equals("redis/22.04/amd64"))
        .map(TargetStatus::state).toList();
    // Once failed for good it does not turn back into PUBLISHING.
    assertThat(amd64States.subList(amd64States.indexOf(TargetState.FAILED_TO_PUBLISH), amd64States.size()))
        .containsOnly(TargetState.FAILED_TO_PUBLISH);
  }

  @Test
  void noAutoRetryMeansFailedToPublishAtOnce() throws Exception {
    lp.script(redis22, "amd64").uploadFailsTimes(1);
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThat(await(ctx).get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(posts("scheduleRegistryUpload")).isZero();
  }

  @Test
  void noPushRulesMeansSucceededButNotPublished() throws Exception {
    redis22.processors("amd64").noPushRules();
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    TargetStatus t = await(ctx).get("redis/22.04/amd64");
    assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(t.rawState()).isEqualTo("Successfully built / Unscheduled");
    assertThat(t.outputs()).containsEntry("published", "false");
  }

  @Test
  void buildStatesMapToTargetStates() throws Exception {
    lp.script(redis22, "amd64").buildFails();
    lp.script(redis22, "arm64").superseded();
    lp.script(redis22, "s390x").cancelledOnLaunchpad();
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(done.get("redis/22.04/amd64").errorSummary()).isEqualTo("Failed to build");
    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.SUPERSEDED);
    assertThat(done.get("redis/22.04/s390x").state()).isEqualTo(TargetState.CANCELLED);
    assertThat(ctx.updates).anyMatch(t -> t.state() == TargetState.CANCELLING);
    assertThat(posts("cancel")).as("cancelled on Launchpad, not by the job").isZero();
  }

  @Test
  void identicalBuildPendingIsReportedOnItsTargetsNotAsACrash() throws Exception {
    redis22.buildRequestsFail(1, IDENTICAL_PENDING);
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(done.values()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
      assertThat(t.errorSummary()).isEqualTo(IDENTICAL_PENDING);
    });
    assertThat(lp.buildRequestStatuses(redis22)).containsExactly("Failed");
  }

  @Test
  void refusedRequestBuildsCarriesLaunchpadsText() throws Exception {
    lp.faults().on("requestBuilds").under(redis22.path()).answer(1, 400, IDENTICAL_PENDING);
    OciImageRequest request = ImageRequest.oci().images("redis").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(done.get("redis/22.04/amd64").errorSummary()).isEqualTo(IDENTICAL_PENDING);
    assertThat(done.get("redis/24.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
  }

  @Test
  void requestBuildsRefusedWith503WaitsForRetryAfterThenAsksAgain() throws Exception {
    lp.faults().on("requestBuilds").under(redis22.path()).serviceUnavailable(1, Duration.ofSeconds(1));
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    long start = System.nanoTime();
    backend().start(request, ctx);

    assertThat(await(ctx).values()).allMatch(t -> t.state() == TargetState.SUCCEEDED);
    // Retry-After (1 s) was honoured although the poll interval is 20 ms: the second
    // requestBuilds, which the success needed, was not sent before it.
    assertThat(System.nanoTime() - start).isGreaterThan(900_000_000L);
    assertThat(calls("POST", p -> p.equals(redis22.path()), "requestBuilds"))
        .extracting(RecordedCall::status).containsExactly(503, 201);
  }

  @Test
  void lostAnswerToRequestBuildsIsNotSentAgainBlindly() throws Exception {
    lp.faults().on("requestBuilds").under(redis22.path()).resetAfterProcessing(1);
    assertRequestBuildsIsNotSentAgain();
  }

  @Test
  void requestBuildsAnsweredWith500WithoutAnOopsIdIsNotSentAgain() throws Exception {
    // A 500 without X-Lazr-OopsId comes from something in front of Launchpad: it may have acted.
    lp.faults().on("requestBuilds").under(redis22.path()).answer(1, 500, "Internal Server Error");
    assertRequestBuildsIsNotSentAgain();
  }

  void assertRequestBuildsIsNotSentAgain() throws Exception {
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
    assertThat(requestBuilds(redis22)).isEqualTo(1);
  }

  @Test
  void transientErrorsWhilePollingAreSurvived() throws Exception {
    for (int i = 0; i < 3; i++) {
      lp.faults().under(redis22.path() + "/+build-request")
          .answer(5, 503, "Launchpad is offline for maintenance")
          .resetConnections(1);
    }
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThat(await(ctx).values()).allMatch(t -> t.state() == TargetState.SUCCEEDED);
    assertThat(requestBuilds(redis22)).isEqualTo(1);
    assertThat(calls("GET", p -> p.startsWith(redis22.path() + "/+build-request"), null))
        .as("every fault was met").filteredOn(c -> c.fault() != null).hasSize(18);
  }

  @Test
  void expiredTokenFailsFastWithAClearMessage() {
    lp.expireToken();
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThatThrownBy(() -> await(ctx)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Expired token")
        .hasMessageContaining("image-builder login")
        .hasMessageNotContaining(credentials.accessSecret());
    assertThat(posts()).isZero();
  }

  @Test
  void resumeReattachesWithoutRequestingAgain() throws Exception {
    OciImageRequest request = ImageRequest.oci().images("redis").build();
    RecordingBuildContext first = context(request);
    // The farm moves only until every target has its build: then the first process is "killed".
    Predicate<Map<String, TargetStatus>> allBuildsKnown = targets -> !targets.isEmpty()
        && targets.values().stream().allMatch(t -> t.outputs().containsKey("build"));
    first.beforeEachTask(() -> {
      if (!allBuildsKnown.test(first.targets())) {
        lp.advancePhases(1);
      }
    });
    BuildJob job = backend().start(request, first);
    first.awaitTargets(allBuildsKnown, Duration.ofSeconds(20));
    Map<String, Object> state = job.state();
    first.close();
    assertThat(first.targets().values()).noneMatch(t -> t.state().isTerminal());
    assertThat(state.toString()).doesNotContain(credentials.accessSecret()).doesNotContain(credentials.accessToken());
    long posts = posts();

    RecordingBuildContext second = context(request);
    backend().resume(request, roundTrip(state), second);
    Map<String, TargetStatus> done = await(second);

    assertThat(done).hasSize(6).allSatisfy((k, t) -> assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED));
    assertThat(posts()).isEqualTo(posts);
    assertThat(requestBuilds(redis22)).isEqualTo(1);
  }

  @Test
  void retryRetriesFailedBuildsInPlaceAndReschedulesFailedUploads() throws Exception {
    lp.script(redis22, "amd64").buildFails();
    lp.script(redis22, "arm64").uploadFailsTimes(1);
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext first = context(request);
    BuildJob job = backend().start(request, first);
    Map<String, TargetStatus> done = await(first);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(done.get("redis/22.04/arm64").state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(done.get("redis/22.04/s390x").state()).isEqualTo(TargetState.SUCCEEDED);

    // The scripted failures are used up: the retried build and upload succeed.
    RecordingBuildContext second = context(request);
    backend().retry(request, roundTrip(job.state()), Set.of("redis/22.04/amd64", "redis/22.04/arm64"), second);
    Map<String, TargetStatus> retried = await(second);

    assertThat(retried.keySet()).containsExactlyInAnyOrder("redis/22.04/amd64", "redis/22.04/arm64");
    assertThat(retried.values()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.attempt()).isEqualTo(2);
    });
    assertThat(posts("retry")).isEqualTo(1);
    assertThat(posts("scheduleRegistryUpload")).isEqualTo(1);
    assertThat(requestBuilds(redis22)).isEqualTo(1);
  }

  @Test
  void retryOfABuildThatCannotBeRetriedRequestsANewOne() throws Exception {
    lp.faults().on("requestBuilds").under(redis22.path()).answer(1, 400, IDENTICAL_PENDING);
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext first = context(request);
    BuildJob job = backend().start(request, first);
    assertThat(await(first).get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);

    RecordingBuildContext second = context(request);
    backend().retry(request, roundTrip(job.state()), Set.of("redis/22.04/amd64"), second);
    assertThat(await(second).get("redis/22.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(requestBuilds(redis22)).isEqualTo(2);
  }

  @Test
  void newRunsAfterARestoreWithGapsInRunIdsGetFreshIds() {
    // Regression: after a restore with a gap in run ids (r0, r2), a new run was named "r2" too,
    // so a later ticket could attach targets to the wrong build request.
    Map<String, Object> run0 = new HashMap<>(Map.of("id", "r0", "image", "redis", "series", "22.04",
        "recipe", redis22.url(), "push_rules", 1, "phase", "COMPLETED"));
    Map<String, Object> run2 = new HashMap<>(run0);
    run2.put("id", "r2");
    run2.put("recipe", redis24.url());
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
    // 22.04's build fails, and fails again when retried in place; 24.04's requestBuilds is refused twice.
    lp.script(redis22, "amd64").buildFailsTimes(2);
    lp.faults().on("requestBuilds").under(redis24.path()).answer(2, 400, IDENTICAL_PENDING);
    OciImageRequest request = ImageRequest.oci().images("redis").architectures(Architecture.AMD64).build();
    Set<String> both = Set.of("redis/22.04/amd64", "redis/24.04/amd64");

    RecordingBuildContext first = context(request);
    BuildJob job = backend().start(request, first);
    await(first);
    RecordingBuildContext second = context(request);
    BuildJob retried = backend().retry(request, roundTrip(job.state()), both, second);
    await(second);
    RecordingBuildContext third = context(request);
    BuildJob again = backend().retry(request, roundTrip(retried.state()), both, third);
    Map<String, TargetStatus> done = await(third);

    List<Map<String, Object>> runs = (List<Map<String, Object>>) (List<?>) again.state().get("runs");
    assertThat(runs).extracting(r -> r.get("id")).doesNotHaveDuplicates();
    assertThat(done.get("redis/24.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(done.get("redis/24.04/amd64").attempt()).isEqualTo(3);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(done.get("redis/22.04/amd64").attempt()).isEqualTo(3);
    assertThat(posts("retry")).isEqualTo(2);
  }

  @Test
  void cancelReachesLaunchpad() throws Exception {
    lp.script(redis22, "amd64").waitsForABuilder(1000);
    lp.script(redis22, "arm64").buildsFor(1000);
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").build();
    RecordingBuildContext ctx = context(request);
    BuildJob job = backend().start(request, ctx);
    ctx.awaitTargets(t -> t.containsKey("redis/22.04/s390x") && t.get("redis/22.04/s390x").state() == TargetState.SUCCEEDED
        && t.get("redis/22.04/arm64").state() == TargetState.BUILDING, Duration.ofSeconds(20));
    ctx.beforeEachTask(() -> { }); // from here the farm is moved by hand
    job.cancel();

    String finished = build(redis22, "s390x").url().substring(lp.serviceRoot().toString().length());
    assertThat(calls("POST", p -> true, "cancel")).hasSize(2)
        .allSatisfy(c -> assertThat(c.path()).doesNotEndWith(finished));
    // Waiting for a builder, amd64 is cancelled at once; arm64 was building, so it is Cancelling first.
    assertThat(build(redis22, "amd64").buildstate()).isEqualTo("Cancelled build");
    lp.advancePhases(1);
    assertThat(redis22.builds()).filteredOn(b -> !b.arch().equals("s390x"))
        .allSatisfy(b -> assertThat(b.buildstate()).isEqualTo("Cancelled build"));
    assertThat(build(redis22, "s390x").buildstate()).isEqualTo("Successfully built");
  }

  @Test
  void planResolvesTargetsWithoutSideEffects() {
    pg24.processors("amd64").noPushRules();
    Plan plan = backend().plan(ImageRequest.oci().images("postgres")
        .architectures(Architecture.AMD64, Architecture.RISCV64).build());
    assertThat(plan.backend()).isEqualTo("launchpad");
    assertThat(plan.targets()).extracting(PlannedTarget::key)
        .containsExactly("postgres/22.04/amd64", "postgres/24.04/amd64");
    assertThat(plan.notes()).anyMatch(n -> n.contains("does not build riscv64"))
        .anyMatch(n -> n.contains("will be cancelled"))
        .anyMatch(n -> n.contains("no push rules"));
    assertThat(posts()).isZero();
  }

  @Test
  void pushRulesThatCannotBeReadForAServerErrorAreNotTakenForNoPushRules() {
    lp.faults().under(redis22.path() + "/push_rules").answer(1, 500, "proxy error");
    assertThatThrownBy(() -> backend().plan(ImageRequest.oci().images("redis").series("22.04").build()))
        .isInstanceOf(dev.imagebuilder.api.RemoteServiceException.class).hasMessageContaining("proxy error");
  }

  @Test
  void pushRulesHiddenFromTheAccountAreUnknownNotAFailure() {
    lp.faults().under(redis22.path() + "/push_rules").answer(1, 401, "Unauthorized");
    Plan plan = backend().plan(ImageRequest.oci().images("redis").series("22.04").build());
    assertThat(plan.notes()).anyMatch(n -> n.contains("push rules could not be read"));
  }

  @Test
  void aFailedPushRulesReadIsRetriedBeforeABuiltImageIsJudged() throws Exception {
    // Built and never scheduled: with push rules that is not a success, so the rules must be
    // known. They are read only then (a build that gets its upload scheduled never needs them).
    lp.script(redis22, "amd64").uploadNotScheduled();
    lp.faults().under(redis22.path() + "/push_rules").answer(1, 500, "proxy error");
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    Map<String, TargetStatus> done = await(ctx);
    assertThat(pushRuleReads(redis22)).isEqualTo(2);
    assertThat(done.get("redis/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
  }

  @Test
  void aBuildWhoseUploadIsScheduledNeverReadsThePushRules() throws Exception {
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04").architectures(Architecture.AMD64).build();
    RecordingBuildContext ctx = context(request);
    backend().start(request, ctx);
    assertThat(await(ctx).get("redis/22.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(pushRuleReads(redis22)).isZero();
  }

  @Test
  void unknownImageIsRejectedBeforeAnyWork() {
    OciImageRequest request = ImageRequest.oci().images("mysql").build();
    assertThatThrownBy(() -> backend().start(request, context(request)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'mysql'").hasMessageContaining("redis, postgres");
    assertThat(lp.requests()).isEmpty();
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
