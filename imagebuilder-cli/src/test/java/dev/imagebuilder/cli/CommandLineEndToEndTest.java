package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.args;
import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.RecordedCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command end to end, in-process, against the test kit's fake Launchpad with the demo
 * recipes (4 images x 3 series x 4 architectures; the first upload of redis 22.04 arm64 fails),
 * through the real Launchpad backend over HTTP. The farm runs in real time with short phases.
 */
class CommandLineEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  FakeLaunchpad launchpad;
  Path credentials;
  Path catalog;
  Path state;

  @BeforeEach
  void startLaunchpad() {
    launchpad = FakeLaunchpad.builder().realTime(Duration.ofMillis(150)).start();
    DemoData.install(launchpad);
    credentials = launchpad.writeCredentials(dir.resolve("credentials"));
    catalog = launchpad.writeCatalog(dir.resolve("catalog.json"));
    state = dir.resolve("state.json");
  }

  @AfterEach
  void stop() {
    launchpad.close();
  }

  List<String> connection() {
    return List.of("--launchpad", launchpad.serviceRoot().toString(), "--credentials", credentials.toString(),
        "--catalog", catalog.toString(), "--poll-interval", "100ms",
        "--config", "launchpad.upload-retry-backoff=200ms", "--state", state.toString());
  }

  List<RecordedCall> posts() {
    return launchpad.requests().stream().filter(c -> c.method().equals("POST")).toList();
  }

  @Test
  void waitsWithPlainLinesAndAutoRetryRecoversTheFailedUpload() {
    Run r = run(args(connection(), "--series", "22.04", "--auto-retry-uploads", "--", "redis"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out())
        .contains("redis 22.04 arm64: PUBLISHING (Successfully built / Failed to upload)")
        .contains("redis/22.04/arm64: upload retry 1 of 3")
        .contains("redis 22.04 arm64: SUCCEEDED (Successfully built / Uploaded)")
        .contains("4 targets: 4 succeeded.")
        .contains("All targets succeeded.")
        .doesNotContain("\033[");
    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);
    assertThat(launchpad.operationCount("scheduleRegistryUpload")).isEqualTo(1);
  }

  @Test
  void aFailedUploadWithoutAutoRetryExitsOneAndTheSummaryNamesIt() {
    Run r = run(args(connection(), "--wait", "--series", "22.04", "--arch", "arm64,amd64", "--", "redis"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).contains("2 targets: 1 succeeded, 1 failed to publish.")
        .contains("Failed targets:")
        .containsPattern("  redis 22.04 arm64: FAILED_TO_PUBLISH \\(Successfully built / Failed to upload\\)")
        .containsPattern("    build: http://127\\.0\\.0\\.1:\\d+/.*/\\+build/\\d+")
        // The last lines of the failed target's build log, fetched from its build_log_url.
        .contains("    last lines of the log:")
        .containsPattern("      \\| Fake build log of .*redis-22\\.04/\\+build/\\d+")
        // Every target with its whole link, the succeeded one too.
        .containsPattern("  redis +22\\.04 +amd64 +SUCCEEDED +Successfully built +Uploaded +http://127\\.0\\.0\\.1:\\d+/\\S+/\\+build/\\d+");
    assertThat(launchpad.operationCount("scheduleRegistryUpload")).isZero();
  }

  @Test
  void aDryRunPrintsThePlanAndSendsNoPost() {
    Run r = run(args(connection(), "--dry-run", "--series", "20.04,24.04", "--arch", "s390x", "--", "nginx", "redis"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).contains("would build 4 targets").contains("nginx  20.04   s390x")
        .contains("redis  24.04   s390x").contains("Dry run: nothing was submitted (4 targets planned).");
    assertThat(posts()).isEmpty();
    assertThat(state).doesNotExist();
  }

  @Test
  void jsonWithoutWaitIsOneDocumentOnceEveryTargetIsSubmitted() throws Exception {
    Run r = run(args(connection(), "--json", "--series", "24.04", "--", "postgres"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.path("schema").asText()).isEqualTo("image-builder/1");
    assertThat(doc.path("kind").asText()).isEqualTo("summary");
    assertThat(doc.path("outcome").asText()).isEqualTo("submitted");
    assertThat(doc.path("exit_code").asInt()).isZero();
    assertThat(doc.path("state_file").asText()).isEqualTo(state.toAbsolutePath().toString());
    assertThat(doc.path("resume_command").asText()).contains("resume --state");
    JsonNode targets = doc.path("builds").get(0).path("targets");
    assertThat(targets).hasSize(4);
    for (JsonNode t : targets) {
      assertThat(t.path("image").asText()).isEqualTo("postgres");
      assertThat(t.path("series").asText()).isEqualTo("24.04");
      assertThat(t.path("raw_state").isNull()).isFalse();
    }
    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void jsonWithWaitIsOneEventPerLineThenASummary() throws Exception {
    Run r = run(args(connection(), "--json", "--wait", "--auto-retry-uploads=2", "--series", "22.04",
        "--arch", "arm64", "--", "redis"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.outLines()) {
      lines.add(JSON.readTree(line));
    }
    assertThat(lines).allSatisfy(n -> assertThat(n.path("schema").asText()).isEqualTo("image-builder/1"));
    assertThat(lines.subList(0, lines.size() - 1)).allSatisfy(n -> assertThat(n.path("kind").asText()).isEqualTo("event"));
    assertThat(lines).anySatisfy(n -> {
      assertThat(n.path("event").asText()).isEqualTo("retry");
      assertThat(n.path("max_attempts").asInt()).isEqualTo(2);
    });
    assertThat(lines).anySatisfy(n -> assertThat(n.path("target").path("upload_state").asText()).isEqualTo("Failed to upload"));
    JsonNode summary = lines.get(lines.size() - 1);
    assertThat(summary.path("kind").asText()).isEqualTo("summary");
    assertThat(summary.path("outcome").asText()).isEqualTo("completed");
    assertThat(summary.path("counts").path("succeeded").asInt()).isEqualTo(1);
    assertThat(summary.path("failed")).isEmpty();
  }

  @Test
  void theTerminalTableIsRedrawnInPlace() {
    Run r = run(args(connection(), "--terminal", "--columns", "200", "--wait", "--series", "20.04", "--arch", "amd64",
        "--", "memcached"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).containsPattern("\033\\[\\d+A") // back up N lines: redrawn over itself
        .doesNotContain("\033[2J").doesNotContain("\033[H"); // never a full-screen clear
    assertThat(r.out().replaceAll("\033\\[[0-9;]*[A-Za-z]", ""))
        .containsPattern("IMAGE +SERIES +ARCH +STATE +TIME +BUILD +UPLOAD +LINK")
        .containsPattern("memcached +20\\.04 +amd64 +\\S*SUCCEEDED\\S* +\\d+s +Successfully built +Uploaded +http://\\S+/\\+build/\\d+")
        .contains("1 target: 1 succeeded")
        .contains("All targets succeeded.");
  }

  @Test
  void theTableNeverWrapsAndKeepsTheEndOfLinks() {
    Run r = run(args(connection(), "--terminal", "--columns", "90", "--wait", "--series", "20.04", "--arch", "amd64",
        "--", "memcached"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    String[] frames = r.out().split("\033\\[\\d+A");
    String live = String.join("", java.util.Arrays.copyOf(frames, frames.length - 1))
        .replaceAll("\033\\[[0-9;]*[A-Za-z]", "").replace("\r", "");
    // Every frame drawn over fits the width; a cut link keeps its end.
    assertThat(live.lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThan(90));
    assertThat(live).containsPattern("memcached +20\\.04 +amd64 +\\S+ +\\S+ .*\\.\\.\\.\\S*\\d+");
    // The frame that stays at the end has the whole link.
    assertThat(frames[frames.length - 1]).containsPattern("memcached +20\\.04 +amd64 .*http://\\S+/\\+build/\\d+");
  }

  @Test
  void theLiveTableFitsTheScreenAndTheFinalOneListsEveryTarget() {
    Run r = run(args(connection(), "--terminal", "--columns", "200", "--lines", "6", "--wait", "--series", "24.04",
        "--", "postgres"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    String[] frames = r.out().split("\033\\[\\d+A");
    assertThat(frames.length).isGreaterThan(2);
    for (int i = 1; i < frames.length - 1; i++) { // every frame drawn over, but the first notice
      // The frame's lines, then the clear below it: it fits the 6-line screen with the cursor's line.
      assertThat(frames[i].replace("\r", "").replace("\033[J", "").lines().count()).as(frames[i])
          .isLessThanOrEqualTo(5);
    }
    assertThat(r.out()).containsPattern("\\.\\.\\. and \\d more: ");
    String last = frames[frames.length - 1].replaceAll("\033\\[[0-9;]*[A-Za-z]", "");
    assertThat(last).contains("postgres  24.04   amd64").contains("postgres  24.04   arm64")
        .contains("postgres  24.04   ppc64el").contains("postgres  24.04   s390x").contains("All targets succeeded.");
  }

  @Test
  void badInputExitsTwoWithOneLineNamingTheValueBeforeAnythingIsSubmitted() throws Exception {
    Path badJson = Files.writeString(dir.resolve("bad.json"), "[{\"image_type\": \"oci\", ");
    Path badCatalog = Files.writeString(dir.resolve("bad-catalog.json"), "{\"recipes\": ");
    List<List<String>> cases = List.of(
        args(connection(), "--arch", "sparc"),
        args(connection(), "--series", "20.4"),
        args(connection(), "--wait", "--", "no-such-image"),
        args(connection(), "--catalog", dir.resolve("missing.json").toString()),
        args(connection(), "--catalog", badCatalog.toString()),
        args(connection(), "--timeout", "soon"),
        args(connection(), "--auto-retry-uploads=many"),
        args(connection(), "--launchpad", "ftp://example.org"),
        args(connection(), "--no-such-option"),
        List.of("submit", "--file", badJson.toString(), "--state", state.toString()),
        List.of("submit", "--file", dir.resolve("missing-requests.json").toString()));
    List<String> named = List.of("'sparc'", "'20.4'", "no-such-image", "missing.json", "bad-catalog.json",
        "'soon'", "many", "ftp://example.org", "--no-such-option", "bad.json", "missing-requests.json");
    for (int i = 0; i < cases.size(); i++) {
      Run r = run(cases.get(i));
      assertThat(r.exit()).as(r.toString()).isEqualTo(2);
      assertThat(r.err()).as(r.toString()).startsWith("image-builder: ").contains(named.get(i))
          .doesNotContain("\tat ").doesNotContain("Exception");
    }
    assertThat(posts()).isEmpty();
  }

  @Test
  void withJsonAnErrorIsAJsonDocumentOnStdoutToo() throws Exception {
    Run r = run(args(connection(), "--json", "--arch", "sparc"));

    assertThat(r.exit()).isEqualTo(2);
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.path("schema").asText()).isEqualTo("image-builder/1");
    assertThat(doc.path("kind").asText()).isEqualTo("error");
    assertThat(doc.path("exit_code").asInt()).isEqualTo(2);
    assertThat(doc.path("message").asText()).contains("--arch: 'sparc'");
    assertThat(r.err()).contains("--arch: 'sparc'");
  }

  @Test
  void debugShowsTheStackTraceOfAUserError() {
    Run r = run(args(connection(), "--debug", "--arch", "sparc"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--arch: 'sparc'").contains("\tat ");
  }

  @Test
  void missingOrRefusedCredentialsExitThree() {
    Run missing = run(args(connection(), "--credentials", dir.resolve("nope").toString()));
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(3);
    assertThat(missing.err()).contains("--credentials: cannot read").contains("image-builder login");

    launchpad.expireToken();
    Run refused = run(args(connection(), "--wait", "--series", "22.04", "--", "redis"));
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(3);
    assertThat(refused.out() + refused.err()).contains("401");
    assertThat(launchpad.operationCount("requestBuilds")).isZero();
  }

  @Test
  void secretsNeverReachOutputOrTheStateFile() throws Exception {
    String secret = launchpad.credentials().accessSecret();
    Run r = run(args(connection(), "--json", "--wait", "--series", "24.04", "--arch", "amd64", "--", "nginx"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).doesNotContain(secret);
    assertThat(r.err()).doesNotContain(secret);
    assertThat(Files.readString(state)).doesNotContain(secret);
    assertThat(Files.getPosixFilePermissions(state))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void theDemoRunsTheWholeFlowInOneCommand() {
    // The README's "Run the demo", narrowed to one image so the test takes seconds, not twenty.
    Run r = run("--launchpad", "demo", "--wait", "--auto-retry-uploads", "--series", "22.04",
        "--state", state.toString(), "--", "redis");

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).contains("Demo: a fake Launchpad with demo data runs in this process at http://127.0.0.1:")
        .contains("redis/22.04/arm64: upload retry 1 of 3")
        .contains("4 targets: 4 succeeded.");
  }

  @Test
  void aDemoRunCannotBeResumedSinceItsFakeStoppedWithIt() {
    Run first = run("--launchpad", "demo", "--wait", "--timeout", "1s", "--series", "22.04", "--arch", "amd64",
        "--state", state.toString(), "--", "redis");
    assertThat(first.exit()).as(first.toString()).isEqualTo(4);
    assertThat(first.out()).contains("Resume with: nothing: the demo's fake Launchpad stopped with this command");

    Run resume = run("resume", "--state", state.toString());
    assertThat(resume.exit()).as(resume.toString()).isEqualTo(2);
    assertThat(resume.err()).contains("records builds of '--launchpad demo'").contains("image-builder fakes");
  }

  @Test
  void autoRetryUploadsTakesOnlyACountSoAnImageMayFollowIt() {
    // Regression: picocli took the image for the option's value ("'redis' is not an int").
    Run r = run(args(connection(), "--dry-run", "--series", "22.04", "--arch", "amd64", "--auto-retry-uploads", "redis"));

    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).contains("would build 1 target:").containsPattern("redis +22\\.04 +amd64");
  }

  @Test
  void helpAndVersionExitZero() {
    Run help = run("--help");
    assertThat(help.exit()).isEqualTo(0);
    assertThat(help.out()).contains("--series").contains("--auto-retry-uploads[=N]").contains("submit")
        .contains("Exit status");
    Run version = run("--version");
    assertThat(version.exit()).isEqualTo(0);
    assertThat(version.out()).startsWith("image-builder ");
  }
}
