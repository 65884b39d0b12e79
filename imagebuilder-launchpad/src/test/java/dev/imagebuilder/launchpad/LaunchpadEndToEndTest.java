package dev.imagebuilder.launchpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildTimeoutException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.FakeBuild;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.Faults;
import dev.imagebuilder.testkit.RecipeHandle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Through the public API ({@link ImageBuilder}) against the test kit's {@link FakeLaunchpad}. */
class LaunchpadEndToEndTest {
  static final String[] ARCHS = {"amd64", "arm64", "s390x"};
  static final String OWNER = "ubuntu-docker-images";

  @TempDir Path dir;
  FakeLaunchpad lp;
  Path catalog;
  Path credentials;
  final List<ImageBuilder> builders = new ArrayList<>();
  final Map<String, RecipeHandle> recipes = new java.util.HashMap<>();
  final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
  final AtomicBoolean driving = new AtomicBoolean(true);
  ScheduledExecutorService farm;

  @BeforeEach
  void setUp() {
    lp = FakeLaunchpad.start();
    for (String image : List.of("redis", "postgres", "nginx")) {
      for (String series : List.of("22.04", "24.04")) {
        recipes.put(image + "-" + series, recipe(image, series));
      }
    }
    catalog = lp.writeCatalog(dir.resolve("catalog.json"));
    credentials = lp.writeCredentials(dir.resolve("launchpad.credentials"));
    // The fake's build farm runs on a manual clock: move it one phase every few milliseconds.
    farm = Executors.newSingleThreadScheduledExecutor();
    farm.scheduleAtFixedRate(() -> {
      if (driving.get()) {
        lp.advancePhases(1);
      }
    }, 20, 15, TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void tearDown() {
    farm.shutdownNow();
    builders.forEach(ImageBuilder::close);
    lp.close();
  }

  RecipeHandle recipe(String image, String series) {
    return lp.addRecipe(OWNER, OWNER, image, image + "-" + series)
        .processors(ARCHS).pushRule("https://registry.example", "ubuntu/" + image, "bot");
  }

  RecipeHandle handle(String image, String series) {
    return recipes.get(image + "-" + series);
  }

  ImageBuilder.Builder builderConfig() {
    return ImageBuilder.newBuilder()
        .environment(name -> null) // found by ServiceLoader; configured here only
        .stateDirectory(dir.resolve("state"))
        .listener(events::add)
        .config("launchpad.service-root", lp.serviceRoot().toString())
        .config("launchpad.catalog", catalog.toString())
        .config("launchpad.credentials-file", credentials.toString())
        .config("launchpad.poll-interval", "10ms")
        .config("launchpad.upload-retry-backoff", "20ms");
  }

  ImageBuilder builder() {
    ImageBuilder b = builderConfig().build();
    builders.add(b);
    return b;
  }

  static BuildResult await(BuildHandle h) {
    return h.await(Duration.ofSeconds(30));
  }

  static void eventually(BooleanSupplier condition) {
    Await.until("the condition", Duration.ofSeconds(20), condition);
  }

  static Map<String, TargetStatus> byKey(BuildResult r) {
    return r.targets().stream().collect(Collectors.toMap(TargetStatus::key, t -> t));
  }

  @Test
  void massRebuildOfEveryImageSeriesAndArchitecture() {
    BuildResult r = await(builder().submit(ImageRequest.oci().build()));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.targets()).hasSize(18).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(t.rawState()).isEqualTo("Successfully built / Uploaded");
      assertThat(t.outputs()).containsEntry("published", "true");
      assertThat(t.webLink()).isNotNull();
    });
    assertThat(byKey(r)).containsKeys("redis/22.04/amd64", "nginx/24.04/s390x");
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(6);
    // Builds are followed through their build request's collection, never one by one.
    assertThat(lp.requests()).noneMatch(c -> c.method().equals("GET") && c.path().matches(".*/\\+build/\\d+"));
  }

  @Test
  void seriesAndImageSelectionAndPlan() {
    ImageBuilder b = builder();
    Plan plan = b.plan(ImageRequest.oci().images("redis").series("jammy").architectures(Architecture.ARM64).build());
    assertThat(plan.targets()).extracting(PlannedTarget::key).containsExactly("redis/22.04/arm64");
    assertThat(plan.notes()).anyMatch(n -> n.contains("will be cancelled"));
    assertThat(lp.requests()).noneMatch(c -> c.method().equals("POST"));
    assertThatThrownBy(() -> b.submit(ImageRequest.oci().images("mysql").build()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'mysql'").hasMessageContaining("redis");
  }

  @Test
  void failedUploadsAreRetriedAutomatically() {
    RecipeHandle redis = handle("redis", "22.04");
    lp.script(redis, "arm64").uploadFailsTimes(2);

    BuildHandle h = builder().submit(ImageRequest.oci().images("redis").series("22.04").autoRetryUploads(3).build());
    BuildResult r = await(h);

    assertThat(r.succeeded()).isTrue();
    assertThat(lp.operationCount("scheduleRegistryUpload")).isEqualTo(2);
    List<BuildEvent.RetryScheduled> retries = events.stream()
        .filter(BuildEvent.RetryScheduled.class::isInstance).map(BuildEvent.RetryScheduled.class::cast).toList();
    assertThat(retries).extracting(BuildEvent.RetryScheduled::targetKey).containsOnly("redis/22.04/arm64");
    assertThat(retries).extracting(BuildEvent.RetryScheduled::attempt).containsExactly(1, 2);
    assertThat(retries).extracting(BuildEvent.RetryScheduled::delay)
        .containsExactly(Duration.ofMillis(20), Duration.ofMillis(40));
  }

  @Test
  void uploadFailuresBeyondTheLimitEndFailedToPublishWithTheRegistryError() {
    RecipeHandle redis = handle("redis", "22.04");
    lp.script(redis, "amd64").uploadFailsTimes(5, "DENIED", "requested access to the resource is denied");

    BuildResult r = await(builder().submit(ImageRequest.oci().images("redis").series("22.04").autoRetryUploads(1).build()));

    TargetStatus amd64 = byKey(r).get("redis/22.04/amd64");
    assertThat(r.succeeded()).isFalse();
    assertThat(amd64.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(amd64.rawState()).isEqualTo("Successfully built / Failed to upload");
    assertThat(amd64.errorSummary()).contains("denied");
    assertThat(lp.operationCount("scheduleRegistryUpload")).isEqualTo(1);
  }

  @Test
  void everyOutcomeMapsToItsTargetState() {
    RecipeHandle pg22 = handle("postgres", "22.04");
    lp.script(pg22, "amd64").dependencyWait();
    lp.script(pg22, "arm64").superseded();
    handle("postgres", "24.04").noPushRules();

    BuildResult r = await(builder().submit(ImageRequest.oci().images("postgres").build()));

    Map<String, TargetStatus> t = byKey(r);
    assertThat(t.get("postgres/22.04/amd64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(t.get("postgres/22.04/amd64").rawState()).startsWith("Dependency wait / ");
    assertThat(t.get("postgres/22.04/arm64").state()).isEqualTo(TargetState.SUPERSEDED);
    assertThat(t.get("postgres/22.04/s390x").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(List.of("amd64", "arm64", "s390x")).allSatisfy(arch -> {
      TargetStatus unpublished = t.get("postgres/24.04/" + arch);
      assertThat(unpublished.state()).isEqualTo(TargetState.SUCCEEDED);
      assertThat(unpublished.rawState()).isEqualTo("Successfully built / Unscheduled");
      assertThat(unpublished.outputs()).containsEntry("published", "false");
    });
    assertThat(r.succeeded()).isFalse();
  }

  @Test
  void architectureFilterLeavesEveryRecipeAsItWas() throws Exception {
    // The farm moves only when told, so the unwanted builds are still cancellable when seen
    // (on Launchpad each state lasts minutes; here a phase is one step of the test).
    driving.set(false);
    BuildHandle h = builder().submit(ImageRequest.oci().images("redis", "postgres")
        .architectures(Architecture.AMD64).build());
    eventually(() -> lp.operationCount("requestBuilds") == 4);
    lp.advancePhases(1);
    eventually(() -> lp.operationCount("cancel") == 8);
    driving.set(true);
    BuildResult r = await(h);

    assertThat(r.succeeded()).isTrue();
    assertThat(r.targets()).extracting(t -> t.label("arch")).containsOnly("amd64");
    assertThat(r.targets()).hasSize(4);
    for (String image : List.of("redis", "postgres")) {
      for (String series : List.of("22.04", "24.04")) {
        RecipeHandle recipe = handle(image, series);
        assertThat(lp.recipeProcessors(recipe)).containsExactly(ARCHS);
        assertThat(recipe.builds()).filteredOn(b -> !b.arch().equals("amd64"))
            .extracting(FakeBuild::buildstate).containsOnly("Cancelled build");
      }
    }
  }

  @Test
  void retryRebuildsOnlyTheFailedTargets() {
    RecipeHandle redis = handle("redis", "22.04");
    lp.script(redis, "arm64").buildFails();
    BuildHandle h = builder().submit(ImageRequest.oci().images("redis").series("22.04").build());
    BuildResult first = await(h);
    assertThat(first.succeeded()).isFalse();
    assertThat(byKey(first).get("redis/22.04/arm64").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(byKey(first).get("redis/22.04/arm64").logUrl()).isNotNull();

    BuildResult second = await(h.retry());

    assertThat(second.succeeded()).isTrue();
    assertThat(byKey(second).get("redis/22.04/arm64").attempt()).isEqualTo(2);
    assertThat(lp.operationCount("retry")).isEqualTo(1);
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void cancelReachesLaunchpad() throws Exception {
    driving.set(false);
    BuildHandle h = builder().submit(ImageRequest.oci().images("redis").series("22.04").build());
    RecipeHandle redis = handle("redis", "22.04");
    eventually(() -> lp.operationCount("requestBuilds") == 1);
    lp.advancePhases(1);
    eventually(() -> h.targets().size() == 3
        && h.targets().stream().allMatch(t -> t.outputs().containsKey("build")));

    h.cancel().get(20, TimeUnit.SECONDS);

    assertThat(lp.operationCount("cancel")).isEqualTo(3);
    assertThat(redis.builds()).extracting(FakeBuild::buildstate).containsOnly("Cancelled build");
    assertThatThrownBy(() -> h.result().join()).isInstanceOf(Exception.class);
  }

  @Test
  void cancelWhileTheBuildRequestIsPendingCancelsItsBuildsOnceCreated() throws Exception {
    cancelBeforeBuildsExist(false);
  }

  @Test
  void cancelWhileRequestBuildsIsUnansweredWaitsForTheAnswer() throws Exception {
    cancelBeforeBuildsExist(true);
  }

  private void cancelBeforeBuildsExist(boolean answerInFlight) throws Exception {
    driving.set(false);
    Faults.Hold answer = answerInFlight ? lp.faults().on("requestBuilds").holdAnswer() : null;
    BuildHandle h = builder().submit(ImageRequest.oci().images("nginx").series("24.04").build());
    RecipeHandle nginx = handle("nginx", "24.04");
    if (answerInFlight) {
      assertThat(answer.awaitHeld(Duration.ofSeconds(20))).as("requestBuilds acted on, its answer held").isTrue();
    }
    eventually(() -> lp.operationCount("requestBuilds") == 1 && h.targets().size() == 3);
    if (!answerInFlight) {
      eventually(() -> h.targets().stream().allMatch(t -> "Build request Pending".equals(t.rawState())));
    }
    assertThat(nginx.builds()).isEmpty();

    var cancelled = h.cancel();
    // The cancel has looked at the job (and found no builds to cancel) once the job says so.
    eventually(() -> h.ticket().json().contains("\"cancel_requested\":true"));
    if (answerInFlight) {
      answer.release();
      eventually(() -> h.ticket().json().contains("+build-request/")); // the answer was heard
    }
    lp.advancePhases(1); // the request's job runs: the builds appear
    cancelled.get(20, TimeUnit.SECONDS);

    assertThat(nginx.builds()).hasSize(3).extracting(FakeBuild::buildstate).containsOnly("Cancelled build");
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void resumeFromATicketInANewBuilderSubmitsNothing() throws Exception {
    driving.set(false);
    ImageBuilder first = builder();
    BuildHandle h = first.submit(ImageRequest.oci().images("redis", "nginx").build());
    eventually(() -> lp.operationCount("requestBuilds") == 4);
    lp.advancePhases(1);
    eventually(() -> h.targets().size() == 12
        && h.targets().stream().allMatch(t -> t.outputs().containsKey("build")));
    Ticket ticket = h.ticket();
    first.close();
    long posts = lp.requests().stream().filter(c -> c.method().equals("POST")).count();
    assertThat(ticket.json()).contains("+build-request/").doesNotContain(lp.credentials().accessSecret());

    driving.set(true);
    BuildResult r = await(builder().resume(ticket));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.targets()).hasSize(12);
    assertThat(lp.requests().stream().filter(c -> c.method().equals("POST")).count()).isEqualTo(posts);
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(4);
  }

  @Test
  void survives503BurstsAndConnectionResets() {
    lp.faults().serviceUnavailable(3, Duration.ofSeconds(0)).resetConnections(2).serverErrors(1);
    BuildResult r = await(builder().submit(ImageRequest.oci().images("postgres").series("24.04").build()));
    assertThat(r.succeeded()).isTrue();
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void requestBuildsRefusedBy503Or500IsSentAgainAndCreatesOneRequest() {
    lp.faults().on("requestBuilds").serviceUnavailable(1, Duration.ZERO).serverErrors(1);
    BuildResult r = await(builder().submit(ImageRequest.oci().images("postgres").series("24.04").build()));
    assertThat(r.succeeded()).isTrue();
    assertThat(lp.requests().stream().filter(c -> "requestBuilds".equals(c.wsOp())).count()).isEqualTo(3);
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
    assertThat(lp.buildRequestStatuses(handle("postgres", "24.04"))).containsExactly("Completed");
  }

  @Test
  void lostAnswerToRequestBuildsIsNotRepeatedBlindly() {
    lp.faults().on("requestBuilds").resetAfterProcessing(1);
    BuildResult r = await(builder().submit(ImageRequest.oci().images("postgres").series("24.04").build()));
    assertThat(r.succeeded()).isFalse();
    assertThat(r.targets()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.UNCONFIRMED);
      assertThat(t.errorSummary()).contains("cannot be checked");
      assertThat(t.webLink()).isNotNull();
    });
    assertThat(lp.requests().stream().filter(c -> "requestBuilds".equals(c.wsOp())).count()).isEqualTo(1);
  }

  @Test
  void everyRequestBuildsIsRecordedAsSentBeforeItGoesOutAndItsAnswerRightAfter() throws Exception {
    driving.set(false); // the farm moves when told, so the unwanted builds are cancellable when seen
    List<String> recorded = Collections.synchronizedList(new ArrayList<>());
    List<Long> requestsSeenAtRecord = Collections.synchronizedList(new ArrayList<>());
    BuildHandle h = builder().submit(ImageRequest.oci().images("redis").architectures(Architecture.AMD64).build(),
        (id, ticket) -> {
          requestsSeenAtRecord.add(lp.operationCount("requestBuilds"));
          recorded.add(ticket.json());
        });
    eventually(() -> lp.operationCount("requestBuilds") == 2);
    lp.advancePhases(1);
    eventually(() -> lp.operationCount("cancel") == 4);
    driving.set(true);
    assertThat(await(h).succeeded()).isTrue();

    // Each recipe's requestBuilds goes out as soon as that recipe is read, each recorded first:
    // a ticket names the targets planned so far.
    assertThat(requestsSeenAtRecord.get(0)).as("the intent is on record before any requestBuilds").isZero();
    assertThat(recorded.get(0)).containsPattern("\"targets\":\\[\"redis/2[24].04/amd64\"\\]")
        .contains("\"phase\":\"REQUESTING\"").doesNotContain("\"phase\":\"TO_REQUEST\"");
    for (int i = 0; i < recorded.size(); i++) {
      long requesting = recorded.get(i).split("\"phase\":\"REQUESTING\"|\"phase\":\"PENDING\"|\"phase\":\"COMPLETED\"", -1).length - 1;
      assertThat(requestsSeenAtRecord.get(i)).as("requestBuilds sent before record %d", i).isLessThanOrEqualTo(requesting);
    }
    assertThat(recorded.get(recorded.size() - 1)).containsPattern(
        "\"targets\":\\[(\"redis/22.04/amd64\",\"redis/24.04/amd64\"|\"redis/24.04/amd64\",\"redis/22.04/amd64\")\\]");
    assertThat(recorded).as("each answer is recorded")
        .anySatisfy(json -> assertThat(json.split("\\+build-request/", -1)).hasSize(3));
    // The three unwanted builds of each request are cancelled, each cancel recorded first.
    assertThat(lp.operationCount("cancel")).isEqualTo(4);
    assertThat(recorded).anySatisfy(json -> assertThat(json.split("\\+build/", -1).length - 1).isGreaterThanOrEqualTo(4));
  }

  @Test
  void aRequestBuildsWhoseAnswerNobodyRecordedIsResumedUnconfirmedWithItsLinkAndNeverSentAgain() throws Exception {
    List<Ticket> recorded = Collections.synchronizedList(new ArrayList<>());
    var held = lp.faults().on("requestBuilds").holdAnswer();
    ImageBuilder first = builder();
    BuildHandle h = first.submit(ImageRequest.oci().images("postgres").series("24.04").build(),
        (id, ticket) -> recorded.add(ticket));
    assertThat(held.awaitHeld(Duration.ofSeconds(20))).isTrue();
    Ticket lastRecord = recorded.get(recorded.size() - 1);
    first.close(); // the process "dies": Launchpad made the request, nobody heard the answer
    held.release();

    BuildHandle resumed = builder().resume(lastRecord);
    BuildResult r = await(resumed);

    assertThat(r.targets()).hasSize(3).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.UNCONFIRMED);
      assertThat(t.rawState()).isEqualTo("requestBuilds unconfirmed");
      assertThat(t.webLink().toString()).startsWith(lp.webRoot().toString()).contains("postgres-24.04");
      assertThat(t.errorSummary()).contains("if the recipe's page shows no build requested then, retry this target by name")
          .contains("retry --target " + t.key());
    });
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
    assertThatThrownBy(resumed::retry).isInstanceOf(IllegalStateException.class);

    // The request nobody heard of did make builds; once they are done (Launchpad would refuse an
    // identical build while one is pending), asking by name requests the target again.
    // (Made at all first: a request the fake has not run yet has no builds, and "none pending" of
    // nothing let the retry race the first request's job, which then took the amd64 build.)
    eventually(() -> !handle("postgres", "24.04").builds().isEmpty()
        && handle("postgres", "24.04").builds().stream().map(FakeBuild::buildstate)
        .noneMatch(s -> List.of("Needs building", "Currently building", "Gathering build output",
            "Uploading build").contains(s)));
    BuildHandle again = resumed.retry(java.util.Set.of("postgres/24.04/amd64"));
    BuildResult retried = await(again);
    assertThat(retried.succeeded()).as("%s", retried.targets()).isTrue();
    assertThat(lp.operationCount("requestBuilds")).as("requested again only when asked by name").isEqualTo(2);
  }

  @Test
  void aJournalThatCannotStoreTheIntentStopsTheBuildBeforeRequestBuildsAndAResumeSendsIt() {
    BuildHandle h = builder().submit(ImageRequest.oci().images("nginx").series("22.04").build(),
        (id, ticket) -> {
          throw new IllegalStateException("No space left on device");
        });
    assertThatThrownBy(() -> await(h)).hasMessageContaining("No space left on device");
    assertThat(lp.operationCount("requestBuilds")).isZero();

    // What was recorded says "not sent", and that is certain: a resume sends it, once.
    BuildResult r = await(builder().resume(h.ticket()));
    assertThat(r.succeeded()).isTrue();
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void expiredTokenFailsFastWithAClearMessage() {
    lp.expireToken();
    BuildHandle h = builder().submit(ImageRequest.oci().images("redis").series("22.04").build());
    assertThatThrownBy(() -> h.result().get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Expired token")
        .hasMessageContaining("image-builder login");
    assertThat(lp.operationCount("requestBuilds")).isZero();
  }

  @Test
  void secretsNeverReachLogsEventsTicketsOrMessages() throws Exception {
    String secret = lp.credentials().accessSecret();
    String token = lp.credentials().accessToken();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    String ticket;
    try {
      ImageBuilder b = builderConfig()
          .config("launchpad.credentials-file", dir.resolve("absent").toString())
          .config("launchpad.consumer-key", lp.credentials().consumerKey())
          .config("launchpad.access-token", token)
          .config("launchpad.access-secret", secret)
          .build();
      builders.add(b);
      RecipeHandle redis = handle("redis", "22.04");
      lp.script(redis, "amd64").uploadFailsTimes(1).buildFails();
      lp.faults().serviceUnavailable(2, Duration.ZERO);
      BuildHandle h = b.submit(ImageRequest.oci().images("redis").series("22.04").autoRetryUploads(2).build());
      BuildResult r = await(h);
      ticket = h.ticket().json();
      assertThat(r.toString()).doesNotContain(secret);
      lp.expireToken();
      BuildHandle expired = b.submit(ImageRequest.oci().images("redis").series("24.04").build());
      assertThatThrownBy(() -> expired.result().join()).isInstanceOf(CompletionException.class)
          .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain(secret).doesNotContain(token));
    } finally {
      System.setErr(err);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs).contains("requesting builds");
    assertThat(logs).doesNotContain(secret).doesNotContain(token);
    assertThat(ticket).doesNotContain(secret).doesNotContain(token);
    assertThat(events.toString()).doesNotContain(secret).doesNotContain(token);
  }

  @Test
  void discoveredByServiceLoaderAndUnavailableWithoutACatalog() {
    try (ImageBuilder b = ImageBuilder.newBuilder().environment(k -> null).stateDirectory(dir.resolve("s")).build()) {
      assertThat(b.backendNames()).contains("launchpad");
      assertThatThrownBy(() -> b.submit(ImageRequest.oci().images("redis").build()))
          .isInstanceOf(dev.imagebuilder.api.NoBackendAvailableException.class)
          .hasMessageContaining("launchpad.catalog");
    }
  }

  @Test
  void waitingNeverCancels() {
    driving.set(false);
    BuildHandle h = builder().submit(ImageRequest.oci().images("redis").series("22.04").build());
    assertThatThrownBy(() -> h.await(Duration.ofMillis(200))).isInstanceOf(BuildTimeoutException.class);
    driving.set(true);
    assertThat(await(h).succeeded()).isTrue();
    assertThat(lp.operationCount("cancel")).isZero();
  }
}
