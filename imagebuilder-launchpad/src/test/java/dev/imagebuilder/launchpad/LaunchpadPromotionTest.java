package dev.imagebuilder.launchpad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.FakeRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion on its own ({@code OciPromotionRequest}) through the public API: push rules read
 * from FakeLaunchpad point at a FakeRegistry holding the {@code <branch>_edge} lists.
 */
class LaunchpadPromotionTest {
  static final List<String> ARCHS = List.of("amd64", "arm64", "s390x");
  static final String OWNER = "ubuntu-docker-images";

  @TempDir Path dir;
  FakeLaunchpad lp;
  FakeRegistry registry;
  Path catalog;
  final List<ImageBuilder> builders = new ArrayList<>();
  final Map<String, String> edgeDigests = new java.util.HashMap<>();

  @BeforeEach
  void setUp() {
    lp = FakeLaunchpad.start();
    registry = FakeRegistry.builder().build().start();
    for (String image : List.of("redis", "postgres")) {
      for (String series : List.of("22.04", "24.04")) {
        lp.addRecipe(OWNER, OWNER, image, image + "-" + series, series)
            .processors(ARCHS.toArray(String[]::new)).pushRule(registry.uri().toString(), "ubuntu/" + image, "bot");
        edgeDigests.put(image + "/" + series, registry.pushImage("ubuntu/" + image, "1.0-" + series + "_edge", ARCHS));
      }
    }
    catalog = lp.writeCatalog(dir.resolve("catalog.json"));
  }

  @AfterEach
  void tearDown() {
    builders.forEach(ImageBuilder::close);
    registry.close();
    lp.close();
  }

  ImageBuilder builder(Consumer<BuildEvent> listener, Map<String, String> config) {
    ImageBuilder.Builder b = ImageBuilder.newBuilder()
        .environment(name -> null)
        .stateDirectory(dir.resolve("state"))
        .listener(listener::accept)
        .config("launchpad.service-root", lp.serviceRoot().toString())
        .config("launchpad.catalog", catalog.toString())
        .config("launchpad.credentials-file", lp.writeCredentials(dir.resolve("lp.credentials")).toString())
        .config("launchpad.registry-wait-interval", "10ms");
    config.forEach(b::config);
    ImageBuilder built = b.build();
    builders.add(built);
    return built;
  }

  ImageBuilder builder() {
    return builder(e -> { }, Map.of());
  }

  static Map<String, TargetStatus> byKey(BuildResult r) {
    return r.targets().stream().collect(Collectors.toMap(TargetStatus::key, t -> t));
  }

  @Test
  void everyImageAndSeriesIsPromotedWithAliasesAndOutputsPerRegistry() {
    BuildResult r = builder().submit(ImageRequest.ociPromotion()
            .promotion(OciPromotion.to("beta").withAliases("{version}_{risk}", "latest")).build())
        .await(Duration.ofSeconds(30));

    assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
    assertThat(r.targets()).hasSize(4);
    TargetStatus redis = byKey(r).get("redis/22.04");
    assertThat(redis.state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(redis.outputs())
        .containsEntry("registry.1.reference", registry.host() + "/ubuntu/redis:1.0-22.04_beta")
        .containsEntry("registry.1.tag", "1.0-22.04_beta,22.04_beta")
        .containsEntry("registry.1.digest", edgeDigests.get("redis/22.04"));
    assertThat(registry.digest("ubuntu/redis", "1.0-22.04_beta")).contains(edgeDigests.get("redis/22.04"));
    assertThat(registry.digest("ubuntu/redis", "22.04_beta")).contains(edgeDigests.get("redis/22.04"));
    // "latest" names no series: the newest series only.
    assertThat(registry.digest("ubuntu/redis", "latest")).contains(edgeDigests.get("redis/24.04"));
    assertThat(byKey(r).get("redis/24.04").outputs().get("registry.1.tag")).isEqualTo("1.0-24.04_beta,24.04_beta,latest");
    assertThat(registry.blobBytesReceived()).isZero();
  }

  @Test
  void buildsThenPromotionOnceEveryTargetOfAnImageAndSeriesSucceeded() {
    java.util.concurrent.ScheduledExecutorService farm = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    farm.scheduleAtFixedRate(() -> lp.advancePhases(1), 20, 15, java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      BuildResult r = builder(e -> { }, Map.of("launchpad.poll-interval", "10ms"))
          .submit(ImageRequest.oci().images("redis").promotion(OciPromotion.to("candidate")).build())
          .await(Duration.ofSeconds(30));

      assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
      // FakeLaunchpad pushed the builds' own list over the one set up by hand.
      assertThat(registry.digest("ubuntu/redis", "1.0-24.04_edge")).isNotEqualTo(java.util.Optional.of(edgeDigests.get("redis/24.04")));
      edgeDigests.put("redis/22.04", registry.digest("ubuntu/redis", "1.0-22.04_edge").orElseThrow());
      edgeDigests.put("redis/24.04", registry.digest("ubuntu/redis", "1.0-24.04_edge").orElseThrow());
      assertThat(r.targets()).hasSize(6).allSatisfy(t -> {
        assertThat(t.rawState()).endsWith("/ promoted");
        assertThat(t.outputs()).containsEntry("published", "true")
            .containsEntry("registry.1.digest", edgeDigests.get("redis/" + t.label("series")))
            .containsEntry("registry.1.tag", "1.0-" + t.label("series") + "_candidate");
      });
      assertThat(registry.digest("ubuntu/redis", "1.0-24.04_candidate")).contains(edgeDigests.get("redis/24.04"));
      assertThat(registry.digest("ubuntu/postgres", "1.0-24.04_candidate")).isEmpty();
    } finally {
      farm.shutdownNow();
    }
  }

  @Test
  void fakeLaunchpadPushesEachBuildThenTheListAndThatListIsPromoted() {
    // A recipe whose images nobody pushed by hand: FakeLaunchpad's upload pushes them.
    lp.addRecipe(OWNER, OWNER, "memcached", "memcached-24.04", "24.04")
        .processors(ARCHS.toArray(String[]::new)).pushRule(registry.uri().toString(), "ubuntu/memcached", "bot");
    catalog = lp.writeCatalog(dir.resolve("catalog.json"));
    java.util.concurrent.ScheduledExecutorService farm = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    farm.scheduleAtFixedRate(() -> lp.advancePhases(1), 20, 15, java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      BuildResult r = builder(e -> { }, Map.of("launchpad.poll-interval", "10ms"))
          .submit(ImageRequest.oci().images("memcached").promotion(OciPromotion.to("beta")).build())
          .await(Duration.ofSeconds(30));

      assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
      assertThat(lp.registryPushFailures()).isEmpty();
      String edge = registry.digest("ubuntu/memcached", "1.0-24.04_edge").orElseThrow();
      assertThat(registry.digest("ubuntu/memcached", "1.0-24.04_beta")).contains(edge);
      assertThat(new String(registry.manifest("ubuntu/memcached", edge).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("\"architecture\": \"arm64\", \"variant\": \"v8\"").contains("\"architecture\": \"s390x\"");
      assertThat(r.targets()).allSatisfy(t -> assertThat(t.outputs()).containsEntry("registry.1.digest", edge));
    } finally {
      farm.shutdownNow();
    }
  }

  private BuildResult buildWithFarm(ImageRequest request) {
    java.util.concurrent.ScheduledExecutorService farm = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    farm.scheduleAtFixedRate(() -> lp.advancePhases(1), 20, 15, java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      return builder(e -> { }, Map.of("launchpad.poll-interval", "10ms")).submit(request).await(Duration.ofSeconds(30));
    } finally {
      farm.shutdownNow();
    }
  }

  @Test
  void aFailedBuildOfTheImageAndSeriesMeansNoPromotionAndTheOthersEndSucceeded() {
    dev.imagebuilder.testkit.RecipeHandle recipe = lp.addRecipe(OWNER, OWNER, "nginx", "nginx-24.04", "24.04")
        .processors(ARCHS.toArray(String[]::new)).pushRule(registry.uri().toString(), "ubuntu/nginx", "bot");
    lp.script(recipe, "s390x").buildFails();
    catalog = lp.writeCatalog(dir.resolve("catalog.json"));

    BuildResult r = buildWithFarm(ImageRequest.oci().images("nginx").promotion(OciPromotion.to("beta")).build());

    Map<String, TargetStatus> t = byKey(r);
    assertThat(t.get("nginx/24.04/s390x").state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(t.get("nginx/24.04/amd64").state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(t.get("nginx/24.04/amd64").outputs()).doesNotContainKey("registry.1.digest");
    assertThat(registry.digest("ubuntu/nginx", "1.0-24.04_beta")).isEmpty();
  }

  @Test
  void aRegistryRefusingTheFakesPushFailsTheUpload() {
    lp.addRecipe(OWNER, OWNER, "nginx", "nginx-24.04", "24.04")
        .processors(ARCHS.toArray(String[]::new)).pushRule(registry.uri().toString(), "locked/nginx", "bot");
    catalog = lp.writeCatalog(dir.resolve("catalog.json"));
    registry.fail("locked/nginx", FakeRegistry.Fault.DENIED, -1);

    BuildResult r = buildWithFarm(ImageRequest.oci().images("nginx").build());

    assertThat(r.targets()).allSatisfy(t -> {
      assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
      assertThat(t.errorSummary()).contains("DENIED");
    });
    assertThat(lp.registryPushFailures()).isNotEmpty();
  }

  @Test
  void dryRunShowsEveryTagAndWritesNothing() {
    Plan plan = builder().plan(ImageRequest.ociPromotion().images("redis").series("22.04")
        .promotion(OciPromotion.to("stable").withAliases("{version}_{risk}")).build());

    assertThat(plan.targets()).hasSize(1);
    assertThat(plan.targets().get(0).description())
        .contains("ubuntu/redis:1.0-22.04_edge (" + edgeDigests.get("redis/22.04"))
        .contains("1.0-22.04_stable [would write]").contains("22.04_stable [would write]");
    assertThat(plan.notes()).contains("would tag " + registry.host() + "/ubuntu/redis:1.0-22.04_edge as 22.04_stable");
    assertThat(registry.requests()).allMatch(s -> s.startsWith("GET") || s.startsWith("HEAD"));
  }

  static long manifestGets(FakeRegistry r, String repository, String reference) {
    return r.requests().stream().filter(s -> s.equals("GET /v2/" + repository + "/manifests/" + reference)).count();
  }

  @Test
  void theSourceManifestIsReadOncePerRegistryAndThatReadIsPromoted() {
    try (FakeRegistry other = FakeRegistry.builder().build().start()) {
      lp.addRecipe(OWNER, OWNER, "memcached", "memcached-24.04", "24.04").processors(ARCHS.toArray(String[]::new))
          .pushRule(registry.uri().toString(), "ubuntu/memcached", "bot")
          .pushRule(other.uri().toString(), "mirror/memcached", "bot");
      catalog = lp.writeCatalog(dir.resolve("catalog.json"));
      String here = registry.pushImage("ubuntu/memcached", "1.0-24.04_edge", ARCHS);
      String there = other.pushImage("mirror/memcached", "1.0-24.04_edge", ARCHS);

      BuildResult r = builder().submit(ImageRequest.ociPromotion().images("memcached").series("24.04")
          .promotion(OciPromotion.to("beta")).build()).await(Duration.ofSeconds(30));

      assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
      assertThat(r.targets().get(0).outputs()).containsEntry("registry.1.digest", here)
          .containsEntry("registry.2.digest", there);
      assertThat(registry.digest("ubuntu/memcached", "1.0-24.04_beta")).contains(here);
      assertThat(other.digest("mirror/memcached", "1.0-24.04_beta")).contains(there);
      // The check that every architecture is there and the promotion share one GET.
      assertThat(manifestGets(registry, "ubuntu/memcached", "1.0-24.04_edge")).isEqualTo(1);
      assertThat(manifestGets(other, "mirror/memcached", "1.0-24.04_edge")).isEqualTo(1);
    }
  }

  @Test
  void anIncompleteListIsAwaitedThenPromoted() throws InterruptedException {
    registry.pushImage("ubuntu/redis", "1.0-22.04_edge", List.of("amd64"), "half");
    String full = edgeDigests.get("redis/22.04");
    List<String> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch allHeard = new java.util.concurrent.CountDownLatch(1);
    ImageBuilder b = builder(e -> {
      if (e instanceof BuildEvent.Completed) {
        allHeard.countDown();
      }
      if (e instanceof BuildEvent.LogLine l) {
        logs.add(l.line());
        if (l.line().contains("lacks arm64, s390x") && logs.stream().filter(x -> x.contains("lacks")).count() == 1) {
          // Launchpad finishes pushing the other architectures.
          registry.pushImage("ubuntu/redis", "1.0-22.04_edge", ARCHS);
        }
      }
    }, Map.of());

    BuildResult r = b.submit(ImageRequest.ociPromotion().images("redis").series("22.04")
        .promotion(OciPromotion.to("beta")).build()).await(Duration.ofSeconds(30));

    assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
    assertThat(logs).anyMatch(l -> l.contains("lacks arm64, s390x"));
    assertThat(registry.digest("ubuntu/redis", "1.0-22.04_beta")).contains(full);
    // One GET per check; the promotion writes what the last check read. Events arrive in order,
    // Completed last: once it is heard, every "lacks" line is in.
    assertThat(allHeard.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    long checks = logs.stream().filter(x -> x.contains("lacks")).count() + 1;
    assertThat(manifestGets(registry, "ubuntu/redis", "1.0-22.04_edge")).isEqualTo(checks);
  }

  @Test
  void theWaitIsBounded() {
    registry.pushImage("ubuntu/redis", "1.0-22.04_edge", List.of("amd64"), "half");
    BuildResult r = builder(e -> { }, Map.of("launchpad.registry-wait-timeout", "50ms"))
        .submit(ImageRequest.ociPromotion().images("redis").series("22.04").promotion(OciPromotion.to("beta")).build())
        .await(Duration.ofSeconds(30));

    TargetStatus t = r.targets().get(0);
    assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(t.errorSummary()).contains("lacks arm64, s390x").contains("after waiting");
    assertThat(registry.digest("ubuntu/redis", "1.0-22.04_beta")).isEmpty();
  }

  @Test
  void deniedFailsThatTargetWithTheRegistrysMessage() {
    registry.fail("ubuntu/postgres", FakeRegistry.Fault.DENIED, -1);
    BuildResult r = builder().submit(ImageRequest.ociPromotion().series("22.04")
        .promotion(OciPromotion.to("beta")).build()).await(Duration.ofSeconds(30));

    assertThat(byKey(r).get("redis/22.04").state()).isEqualTo(TargetState.SUCCEEDED);
    TargetStatus pg = byKey(r).get("postgres/22.04");
    assertThat(pg.state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(pg.errorSummary()).contains("DENIED: requested access to the resource is denied");
  }

  @Test
  void aMissingEdgeTagFailsWithManifestUnknownAfterTheWait() {
    BuildResult r = builder(e -> { }, Map.of("launchpad.registry-wait-timeout", "0s"))
        .submit(ImageRequest.ociPromotion().images("redis").series("22.04")
            .promotion(new OciPromotion("candidate", "stable", List.of())).build())
        .await(Duration.ofSeconds(30));

    assertThat(r.targets().get(0).state()).isEqualTo(TargetState.FAILED_TO_PUBLISH);
    assertThat(r.targets().get(0).errorSummary()).contains("1.0-22.04_candidate does not exist yet")
        .contains("MANIFEST_UNKNOWN: manifest unknown");
  }

  @Test
  void theCatalogsPushRulesReplaceLaunchpads() throws Exception {
    try (FakeRegistry other = FakeRegistry.builder().build().start()) {
      String digest = other.pushImage("mirror/redis", "1.0-22.04_edge", ARCHS);
      String text = Files.readString(catalog);
      Files.writeString(catalog, text.substring(0, text.lastIndexOf('}'))
          + ", \"push_rules\": {\"redis\": [{\"registry_url\": \"" + other.uri() + "\", \"image_name\": \"mirror/redis\"}]}}");

      BuildResult r = builder().submit(ImageRequest.ociPromotion().images("redis").series("22.04")
          .promotion(OciPromotion.to("beta")).build()).await(Duration.ofSeconds(30));

      assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
      assertThat(other.digest("mirror/redis", "1.0-22.04_beta")).contains(digest);
      assertThat(registry.digest("ubuntu/redis", "1.0-22.04_beta")).isEmpty();
    }
  }
}
