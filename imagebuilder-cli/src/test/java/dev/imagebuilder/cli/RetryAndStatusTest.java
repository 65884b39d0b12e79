package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.args;
import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code retry} and {@code status} on a state file, against the fake Launchpad. */
class RetryAndStatusTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  DemoFake fake;
  FakeLaunchpad launchpad;
  Path state;

  @BeforeEach
  void start() {
    start(Duration.ofMillis(150));
    state = dir.resolve("state.json");
  }

  void start(Duration phase) {
    fake = new DemoFake(dir, phase);
    launchpad = fake.launchpad;
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  List<String> connection() {
    return fake.connection();
  }

  @Test
  void retryBuildsOnlyTheFailedTargetsAgainThroughTheLibrary() throws Exception {
    // The first upload of redis 22.04 arm64 fails; amd64 succeeds.
    Path logs = dir.resolve("logs");
    Run first = run(args(connection(), "--state", state.toString(), "--wait", "--series", "22.04",
        "--arch", "amd64,arm64", "--logs", logs.toString(), "--", "redis"));
    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    assertThat(first.out()).contains("last lines of the log:").contains("Build logs: 2 saved in " + logs);
    // --logs DIR: every target's log, decompressed, named after its key.
    assertThat(java.nio.file.Files.readString(logs.resolve("redis_22.04_arm64.log"))).startsWith("Fake build log of ");
    assertThat(logs.resolve("redis_22.04_amd64.log")).exists();
    launchpad.clearRequests();

    // Offline, status makes no request at all: not even for the failed target's log.
    Run offline = run("status", "--offline", "--state", state.toString());
    assertThat(offline.out()).as(offline.toString()).contains("FAILED_TO_PUBLISH").doesNotContain("last lines of the log");
    assertThat(launchpad.requests()).isEmpty();

    Path next = dir.resolve("retry.json");
    Run r = run(args(List.of("retry", "--state", state.toString(), "--new-state", next.toString(), "--wait",
        "--json"), connection().toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode summary = JSON.readTree(r.outLines().get(r.outLines().size() - 1));
    assertThat(summary.path("kind").asText()).isEqualTo("summary");
    assertThat(summary.path("counts").path("targets").asInt()).isEqualTo(1);
    assertThat(summary.path("counts").path("succeeded").asInt()).isEqualTo(1);
    assertThat(summary.path("state_file").asText()).isEqualTo(next.toAbsolutePath().toString());
    // The failed upload was scheduled again; nothing was requested again.
    assertThat(launchpad.operationCount("scheduleRegistryUpload")).isEqualTo(1);
    assertThat(launchpad.operationCount("requestBuilds")).isZero();
    assertThat(next).exists();
  }

  @Test
  void retryWithNothingFailedSaysSoAndSubmitsNothing() {
    Run first = run(args(connection(), "--state", state.toString(), "--wait", "--series", "20.04",
        "--arch", "amd64", "--", "nginx"));
    assertThat(first.exit()).as(first.toString()).isZero();
    long before = fake.posts();

    Run r = run(args(List.of("retry", "--state", state.toString()), connection().toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Nothing to retry");
    assertThat(fake.posts()).isEqualTo(before);
  }

  @Test
  void statusShowsEveryTargetAndAgreesWithCancel() throws Exception {
    // A farm slow enough that the builds are still going when cancel comes.
    fake.close();
    start(Duration.ofSeconds(3));
    Run submitted = run(args(connection(), "--state", state.toString(), "--series", "24.04", "--", "postgres"));
    assertThat(submitted.exit()).as(submitted.toString()).isZero();

    Run cancel = run(args(List.of("cancel", "--state", state.toString()), connection().toArray(String[]::new)));
    assertThat(cancel.exit()).as(cancel.toString()).isZero();

    for (List<String> how : List.of(List.of("--offline"), List.<String>of())) {
      Run table = run(args(List.of("status", "--state", state.toString()), how.toArray(String[]::new)));
      assertThat(table.out()).as(table.toString()).containsPattern("IMAGE +SERIES +ARCH +STATE ")
          .containsPattern("postgres +24\\.04 +amd64 +CANCELL(ED|ING) ")
          .containsPattern("postgres +24\\.04 +s390x +CANCELL(ED|ING) ")
          .doesNotContain("BUILDING").doesNotContain("QUEUED");

      Run json = run(args(List.of("status", "--json", "--state", state.toString()), how.toArray(String[]::new)));
      JsonNode targets = JSON.readTree(json.out()).path("builds").get(0).path("targets");
      assertThat(targets).hasSize(4);
      assertThat(targets).allSatisfy(t ->
          assertThat(t.path("state").asText()).isIn(Set.of("CANCELLED", "CANCELLING")));
    }
  }
}
