package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.args;
import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.FakeRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code image-builder promote} and {@code --retag}, in-process, against FakeLaunchpad and FakeRegistry. */
class PromoteCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ARCHS = List.of("amd64", "arm64");

  @TempDir Path dir;
  FakeLaunchpad launchpad;
  FakeRegistry registry;
  final Map<String, String> edge = new HashMap<>();

  @BeforeEach
  void start() {
    launchpad = FakeLaunchpad.builder().realTime(Duration.ofMillis(100)).start();
    registry = FakeRegistry.builder().build().start();
    for (String image : List.of("redis", "nginx")) {
      for (String series : List.of("22.04", "24.04")) {
        launchpad.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", image, image + "-" + series, series)
            .processors(ARCHS.toArray(String[]::new)).pushRule(registry.uri().toString(), "ubuntu/" + image, "bot");
        edge.put(image + "/" + series, registry.pushImage("ubuntu/" + image, "1.0-" + series + "_edge", ARCHS));
      }
    }
  }

  @AfterEach
  void stop() {
    registry.close();
    launchpad.close();
  }

  List<String> connection() {
    return List.of("--launchpad", launchpad.serviceRoot().toString(),
        "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
        "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(), "--poll-interval", "50ms",
        "--config", "launchpad.registry-wait-interval=20ms", "--state", dir.resolve("state.json").toString());
  }

  @Test
  void promoteWritesEveryTagAndExitsZero() {
    Run r = run(args(List.of("promote"), args(connection(), "--to", "beta", "--alias", "{version}_{risk}",
        "--alias", "latest", "--series", "22.04,24.04", "--", "redis").toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("2 targets: 2 succeeded.");
    assertThat(registry.digest("ubuntu/redis", "1.0-22.04_beta")).contains(edge.get("redis/22.04"));
    assertThat(registry.digest("ubuntu/redis", "22.04_beta")).contains(edge.get("redis/22.04"));
    assertThat(registry.digest("ubuntu/redis", "latest")).contains(edge.get("redis/24.04"));
    assertThat(registry.tags("ubuntu/nginx")).containsExactly("1.0-22.04_edge", "1.0-24.04_edge");
  }

  @Test
  void promoteDryRunShowsEveryTagAndWritesNone() {
    Run r = run(args(List.of("promote"), args(connection(), "--to", "stable", "--dry-run", "--series", "22.04")
        .toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("1.0-22.04_stable [would write]")
        .contains("would tag " + registry.host() + "/ubuntu/nginx:1.0-22.04_edge as 1.0-22.04_stable")
        .contains("Dry run: nothing was submitted (2 targets planned).");
    assertThat(registry.requests()).allMatch(s -> s.startsWith("GET") || s.startsWith("HEAD"));
  }

  @Test
  void promoteJsonCarriesTheReferenceTagAndDigestPerRegistry() throws Exception {
    Run r = run(args(List.of("promote"), args(connection(), "--to", "candidate", "--json", "--series", "24.04",
        "--", "nginx").toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = r.outLines();
    JsonNode summary = JSON.readTree(lines.get(lines.size() - 1));
    JsonNode outputs = summary.path("builds").get(0).path("targets").get(0).path("outputs");
    assertThat(outputs.path("registry.1.reference").asText()).isEqualTo(registry.host() + "/ubuntu/nginx:1.0-24.04_candidate");
    assertThat(outputs.path("registry.1.tag").asText()).isEqualTo("1.0-24.04_candidate");
    assertThat(outputs.path("registry.1.digest").asText()).isEqualTo(edge.get("nginx/24.04"));
  }

  @Test
  void aDeniedRegistryExitsOneWithItsMessage() {
    registry.fail("ubuntu/redis", FakeRegistry.Fault.DENIED, -1);
    Run r = run(args(List.of("promote"), args(connection(), "--to", "beta", "--series", "22.04")
        .toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("DENIED: requested access to the resource is denied");
  }

  @Test
  void badRisksAndRetagWithoutWaitAreUsageErrors() {
    Run same = run(args(List.of("promote"), args(connection(), "--to", "edge").toArray(String[]::new)));
    assertThat(same.exit()).as(same.toString()).isEqualTo(2);
    assertThat(same.err()).contains("--to: 'edge' is the risk promoted from");

    Run badAlias = run(args(List.of("promote"), args(connection(), "--to", "beta", "--alias", "{nope}")
        .toArray(String[]::new)));
    assertThat(badAlias.exit()).isEqualTo(2);
    assertThat(badAlias.err()).contains("--alias: '{nope}' is not a tag template");

    Run noWait = run(args(connection(), "--retag", "beta", "--", "redis"));
    assertThat(noWait.exit()).isEqualTo(2);
    assertThat(noWait.err()).contains("--retag: needs --wait");
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void retagAfterTheBuildsOfEachImageAndSeries() {
    Run r = run(args(connection(), "--wait", "--retag", "candidate", "--retag-alias", "{version}_{risk}",
        "--series", "22.04", "--", "redis"));

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("(Successfully built / Uploaded / promoting)").contains("2 targets: 2 succeeded.");
    // The builds' uploads pushed a new list under _edge (FakeLaunchpad pushes as Launchpad does).
    String built = registry.digest("ubuntu/redis", "1.0-22.04_edge").orElseThrow();
    assertThat(built).isNotEqualTo(edge.get("redis/22.04"));
    assertThat(registry.digest("ubuntu/redis", "1.0-22.04_candidate")).contains(built);
    assertThat(registry.digest("ubuntu/redis", "22.04_candidate")).contains(built);
  }

  @Test
  void theDemoPromotesImagesBuiltEarlier() {
    Run r = run("promote", "--launchpad", "demo", "--to", "beta", "--series", "22.04",
        "--state", dir.resolve("demo-state.json").toString(), "--", "redis");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("1 target: 1 succeeded.");
  }

  @Test
  void fakesPointsThePushRulesAtTheRegistryGiven() throws Exception {
    try (dev.imagebuilder.testkit.FakeServers servers = dev.imagebuilder.testkit.FakeServers.start(
        new String[] {"--registry", registry.uri().toString(), "--output", dir.resolve("fakes").toString()},
        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))) {
      assertThat(servers.launchpad().registryUri()).isEqualTo(registry.uri());
      assertThat(servers.launchpad().hasOwnRegistry()).isFalse();
    }
    Run bad = run("fakes", "--registry", "not a url", "--output", dir.resolve("fakes2").toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--registry: not an http(s) URL");
  }

  @Test
  void retagDryRunNamesTheTagsItWouldWrite() {
    Run r = run(args(connection(), "--dry-run", "--retag", "beta", "--series", "24.04", "--", "nginx"));

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("after the builds of nginx 24.04: would tag " + registry.host()
        + "/ubuntu/nginx:1.0-24.04_edge as 1.0-24.04_beta");
  }
}
