package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.args;
import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options and input as users get them wrong (issue #15): root options given with a subcommand,
 * typos, empty filters, absurd durations, oversized input, control characters and passwords in
 * values. Each is refused with exit 2 and one line, before anything reaches Launchpad.
 */
class OptionsAndInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  DemoFake fake;
  FakeLaunchpad launchpad;
  Path state;

  @BeforeEach
  void start() {
    fake = new DemoFake(dir, Duration.ofMillis(100));
    launchpad = fake.launchpad;
    state = dir.resolve("state.json");
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  List<String> connection() {
    return args(fake.connection(), "--state", state.toString());
  }

  long posts() {
    return fake.posts();
  }

  Path requestFile() throws Exception {
    return Files.writeString(dir.resolve("req.json"),
        "[{\"image_type\": \"oci\", \"images\": [\"redis\"], \"series\": [\"22.04\"], \"architectures\": [\"amd64\"]}]");
  }

  @Test
  void aRootDryRunAndJsonBeforeSubmitAreAppliedAndNothingIsSubmitted() throws Exception {
    Run r = run(args(List.of("--dry-run", "--json", "submit", "--file", requestFile().toString()), connection()
        .toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode plan = JSON.readTree(r.out());
    assertThat(plan.path("kind").asText()).isEqualTo("plan");
    assertThat(plan.path("targets").asInt()).isEqualTo(1);
    assertThat(posts()).isZero();
    assertThat(state).doesNotExist();
  }

  @Test
  void submitTakesDryRun() throws Exception {
    Run r = run(args(List.of("submit", "--dry-run", "--file", requestFile().toString()), connection()
        .toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("would build 1 target").contains("redis  22.04   amd64")
        .contains("Dry run: nothing was submitted");
    assertThat(posts()).isZero();
  }

  @Test
  void aRootOptionTheSubcommandDoesNotHaveIsRefused() throws Exception {
    Run r = run(args(List.of("--series", "22.04", "submit", "--file", requestFile().toString()), connection()
        .toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--series is not an option of 'image-builder submit'");
    assertThat(posts()).isZero();
  }

  @Test
  void aRootJsonBeforeStatusIsApplied() throws Exception {
    Run submitted = run(args(connection(), "--series", "24.04", "--arch", "amd64", "--", "nginx"));
    assertThat(submitted.exit()).as(submitted.toString()).isZero();

    Run r = run("--json", "status", "--offline", "--state", state.toString());

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(JSON.readTree(r.out()).path("kind").asText()).isEqualTo("summary");
  }

  @Test
  void aTypoGetsASuggestion() {
    Run r = run(args(connection(), "--seris", "22.04"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--seris'").contains("Did you mean: --series");
    assertThat(posts()).isZero();
  }

  @Test
  void aBadAttachedRetryCountIsNamedAsSuch() {
    Run r = run(args(connection(), "--auto-retry-uploads=foo"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--auto-retry-uploads: 'foo' is not a number").doesNotContain("unknown image").doesNotContain("not in the catalog");
  }

  @Test
  void emptyFilterValuesAreRefusedNotTakenAsAll() {
    for (List<String> bad : List.of(List.of("--series", ","), List.of("--arch", ","), List.of("--arch", ""),
        List.of("--series", "22.04,"), List.of("--", ""))) {
      Run r = run(args(connection(), bad.toArray(String[]::new)));

      assertThat(r.exit()).as(bad + "\n" + r).isEqualTo(2);
      assertThat(r.err()).as(bad.toString()).containsPattern("(--series|--arch|IMAGE): .*empty");
    }
    assertThat(posts()).isZero();
    assertThat(launchpad.operationCount("requestBuilds")).isZero();
  }

  @Test
  void durationsAreBoundedAndCheckedBeforeSubmitting() {
    for (String bad : List.of("99999999999999d", "400d", "0s", "PT-5S")) {
      Run r = run(args(connection(), "--wait", "--timeout", bad, "--", "redis"));

      assertThat(r.exit()).as(bad + "\n" + r).isEqualTo(2);
      assertThat(r.err()).as(bad).startsWith("image-builder: --timeout: '" + bad + "'")
          .doesNotContain("unexpected error");
    }
    Run r = run(args(connection(), "--poll-interval", "3d", "--", "redis"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--poll-interval: '3d' is too long");
    assertThat(posts()).isZero();
  }

  @Test
  void inputIsBoundedBeforeItIsRead() throws Exception {
    Path big = dir.resolve("big.json");
    try (var out = Files.newOutputStream(big)) {
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      for (int i = 0; i < 40; i++) {
        out.write(chunk); // 2.5 MiB
      }
    }
    for (String file : List.of("/dev/zero", big.toString())) {
      Run r = run(args(List.of("submit", "--file", file), connection().toArray(String[]::new)));

      assertThat(r.exit()).as(file + "\n" + r).isEqualTo(2);
      assertThat(r.err()).contains("--file: '" + file + "' is larger than 1 MiB");
    }
    Run r = run(args(connection(), "--catalog", "/dev/zero", "--", "redis"));
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--catalog: '/dev/zero' is larger than 1 MiB");
    assertThat(posts()).isZero();
  }

  @Test
  void controlCharactersInValuesAreShownEscapedNeverSentToTheTerminal() {
    Run r = run(args(connection(), "--arch", "\033[2J\033[31mred\007"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("\033").doesNotContain("\007")
        .contains("\\x1b[2J\\x1b[31mred\\x07");
  }

  @Test
  void aPasswordInALaunchpadUrlIsNeverEchoed() {
    Run r = run("--launchpad", "http://user:s3cret@launchpad.example/devel/", "--", "redis");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("s3cret").contains("http://<redacted>@launchpad.example/devel/");
  }

  @Test
  void anItemWithoutBackendIsReportedOnceAndNothingSaysNull() throws Exception {
    Path requests = Files.writeString(dir.resolve("cloud.json"),
        "{\"image_type\": \"cloud\", \"image\": \"https://cloud.example/x.img\", \"series\": \"noble\"}");
    Run r = run(args(List.of("submit", "--file", requests.toString(), "--config", "backend.cloud=not-installed"),
        connection().toArray(String[]::new)));

    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    String all = r.out() + r.err();
    assertThat(all.split("Not submitted: item \\[0]", -1)).hasSize(2);
    assertThat(all).doesNotContain("null").contains("Nothing was submitted.");
  }
}
