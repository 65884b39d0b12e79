package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.args;
import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaving and coming back: the local deadline, Ctrl-C, resume, status and cancel from the state
 * journal. The fake Launchpad runs on a manual clock, so builds move only when the test says.
 */
class ResumeAndInterruptTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  FakeLaunchpad launchpad;
  Path credentials;
  Path catalog;
  Path state;

  @BeforeEach
  void startLaunchpad() {
    launchpad = FakeLaunchpad.start();
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
        "--catalog", catalog.toString(), "--poll-interval", "100ms", "--state", state.toString());
  }

  @Test
  void theLocalDeadlineLeavesBuildsRunningAndResumeFinishesThemWithoutSubmitting() throws Exception {
    Run first = run(args(connection(), "--wait", "--timeout", "2s", "--series", "24.04", "--arch", "amd64,arm64",
        "--", "nginx"));

    assertThat(first.exit()).as(first.toString()).isEqualTo(4);
    assertThat(first.out()).contains("The local deadline (--timeout 2s) passed")
        .contains("image-builder resume --state " + state.toAbsolutePath());
    assertThat(recordedStatuses()).containsExactly("RUNNING");
    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);

    launchpad.advancePhases(20);
    Run resumed = run("resume", "--state", state.toString());

    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(0);
    assertThat(resumed.out()).contains("Resuming 1 of 1 builds").contains("2 targets: 2 succeeded.");
    assertThat(launchpad.operationCount("requestBuilds")).as("resume submits nothing new").isEqualTo(1);
    assertThat(recordedStatuses()).containsExactly("SUCCEEDED");

    Run again = run("resume", "--state", state.toString());
    assertThat(again.exit()).as("an ended journal resumes to its recorded end").isEqualTo(0);
    assertThat(again.out()).contains("Resuming 0 of 1 builds").contains("2 targets: 2 succeeded.");
  }

  @Test
  void interruptingStopsWaitingCancelsNothingAndTheRunResumes() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread command = new Thread(() -> exit.set(Main.run(
        args(connection(), "--wait", "--series", "20.04", "--arch", "s390x", "--", "memcached").toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))));
    command.start();
    Await.until("a build request in the journal", Duration.ofSeconds(20), this::journalHasBuildRequest);

    command.interrupt(); // what the shutdown hook does on Ctrl-C
    command.join(20_000);

    assertThat(exit.get()).as(out + "\n" + err).isEqualTo(130);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Interrupted: stopped waiting, nothing was cancelled")
        .contains("image-builder resume --state");
    assertThat(launchpad.operationCount("cancel")).isZero();

    launchpad.advancePhases(20);
    Run resumed = run("resume", "--state", state.toString(), "--json");
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(0);
    List<String> lines = resumed.outLines();
    JsonNode summary = JSON.readTree(lines.get(lines.size() - 1));
    assertThat(summary.path("outcome").asText()).isEqualTo("completed");
    assertThat(summary.path("counts").path("succeeded").asInt()).isEqualTo(1);
    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void statusShowsWhereBuildsStandAndCancelStopsThem() throws Exception {
    Run submitted = run(args(connection(), "--series", "22.04", "--arch", "amd64", "--", "postgres"));
    assertThat(submitted.exit()).as(submitted.toString()).isEqualTo(0);
    assertThat(submitted.out()).contains("Submitted; the builds go on.");

    launchpad.advancePhases(2);
    Run status = run("status", "--state", state.toString());
    assertThat(status.exit()).as(status.toString()).isEqualTo(0);
    assertThat(status.out()).containsPattern("postgres 22\\.04 amd64|1 target: 1 (queued|building)")
        .contains("Builds still running; follow them with: image-builder resume --state");

    Run offline = run("status", "--state", state.toString(), "--offline", "--json");
    assertThat(offline.exit()).as(offline.toString()).isEqualTo(0);
    assertThat(JSON.readTree(offline.out()).path("builds").get(0).path("targets")).hasSize(1);

    long cancelsBefore = launchpad.operationCount("cancel"); // the backend cancels unrequested architectures
    Run cancel = run("cancel", "--state", state.toString());
    assertThat(cancel.exit()).as(cancel.toString()).isEqualTo(0);
    assertThat(cancel.out()).contains("cancel sent");
    assertThat(launchpad.operationCount("cancel")).isGreaterThan(cancelsBefore);
    assertThat(recordedStatuses()).containsExactly("CANCELLED");

    Run resumeCancelled = run("resume", "--state", state.toString());
    assertThat(resumeCancelled.out()).contains("Resuming 0 of 1 builds");
    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);
  }

  /** Regression: one build that could not be re-attached stopped the cancel of all the others. */
  @Test
  void cancelGoesOnPastABuildItCannotReattach() throws Exception {
    Run submitted = run(args(connection(), "--series", "22.04", "--arch", "amd64", "--", "postgres"));
    assertThat(submitted.exit()).as(submitted.toString()).isEqualTo(0);
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(Files.readString(state));
    com.fasterxml.jackson.databind.node.ObjectNode stray = JSON.createObjectNode();
    stray.put("build_id", "b-stray").put("backend", "gone").put("status", "RUNNING");
    stray.putObject("ticket").put("backend", "gone");
    ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("builds")).insert(0, stray);
    Files.writeString(state, JSON.writeValueAsString(root));
    launchpad.advancePhases(2);

    long cancelsBefore = launchpad.operationCount("cancel");
    Run cancel = run("cancel", "--state", state.toString());

    assertThat(cancel.exit()).as(cancel.toString()).isEqualTo(1);
    assertThat(cancel.out()).contains("build b-stray: cancel failed").contains("cancel sent");
    assertThat(launchpad.operationCount("cancel")).isGreaterThan(cancelsBefore);
    assertThat(recordedStatuses()).containsExactly("RUNNING", "CANCELLED");
  }

  @Test
  void aStateFileWithRunningBuildsIsNotOverwritten() {
    Run first = run(args(connection(), "--series", "22.04", "--arch", "amd64", "--", "postgres"));
    assertThat(first.exit()).as(first.toString()).isEqualTo(0);

    Run second = run(args(connection(), "--series", "22.04", "--arch", "amd64", "--", "postgres"));

    assertThat(second.exit()).isEqualTo(2);
    assertThat(second.err()).contains("records builds still running").contains("resume --state");
    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);
  }

  @Test
  void resumeOfAMissingOrForeignStateFileExitsTwo() throws Exception {
    Run missing = run("resume", "--state", dir.resolve("none.json").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("none.json").contains("no such file");

    Path foreign = Files.writeString(dir.resolve("foreign.json"), "{\"format\": \"something-else\"}");
    Run wrong = run("status", "--state", foreign.toString());
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err()).contains("is not an image-builder state file");

    Path broken = Files.writeString(dir.resolve("broken.json"),
        "{\"format\": \"image-builder-state/1\", \"builds\": [{\"build_id\": \"b-1\"}]}");
    Run noTicket = run("cancel", "--state", broken.toString());
    assertThat(noTicket.exit()).isEqualTo(2);
    assertThat(noTicket.err()).contains("broken.json").contains("without build_id or ticket");

    Path truncated = Files.writeString(dir.resolve("truncated.json"), "{\"format\": \"image-");
    Run invalid = run("resume", "--state", truncated.toString());
    assertThat(invalid.exit()).isEqualTo(2);
    assertThat(invalid.err()).contains("truncated.json").contains("is not valid JSON");
  }

  private List<String> recordedStatuses() throws Exception {
    JsonNode root = JSON.readTree(Files.readString(state));
    assertThat(root.path("format").asText()).isEqualTo("image-builder-state/1");
    return java.util.stream.StreamSupport.stream(root.path("builds").spliterator(), false)
        .map(b -> b.path("status").asText()).toList();
  }

  private boolean journalHasBuildRequest() {
    try {
      return Files.exists(state) && Files.readString(state).contains("+build-request/");
    } catch (java.io.IOException e) {
      return false; // being replaced right now
    }
  }
}
