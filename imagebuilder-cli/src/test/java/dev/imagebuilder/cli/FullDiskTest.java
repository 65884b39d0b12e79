package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.Faults;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state file on a disk that fills up after the builds were submitted: a 64 KiB tmpfs, which
 * needs root to mount (CI runs as root; elsewhere this skips, unless
 * {@code IMAGEBUILDER_SYSTEM_TESTS=required}). The command must not claim "nothing submitted"
 * (exit 2), must leave no temporary file, and the journal it leaves must resume honestly.
 */
class FullDiskTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path small;
  FakeLaunchpad launchpad;

  @BeforeEach
  void mount() throws Exception {
    small = Files.createDirectory(dir.resolve("small"));
    if (!"root".equals(System.getProperty("user.name"))) {
      skipOrFail("mounting a small tmpfs needs root");
    }
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      skipOrFail("cannot mount a tmpfs: " + out);
    }
    launchpad = FakeLaunchpad.start();
    DemoData.install(launchpad);
  }

  @AfterEach
  void unmount() throws Exception {
    if (launchpad != null) {
      launchpad.close();
    }
    new ProcessBuilder("umount", small.toString()).start().waitFor(20, TimeUnit.SECONDS);
  }

  private static void skipOrFail(String why) {
    if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
      fail(why);
    }
    Assumptions.abort(why);
  }

  @Test
  void aDiskThatFillsAfterSubmittingNeverReadsAsNothingSubmittedAndResumesHonestly() throws Exception {
    Path state = small.resolve("state.json");
    List<String> args = List.of("--launchpad", launchpad.serviceRoot().toString(),
        "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
        "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
        "--poll-interval", "100ms", "--state", state.toString(),
        "--wait", "--series", "22.04", "--arch", "amd64", "--", "nginx");
    Faults.Hold held = launchpad.faults().on("requestBuilds").holdAnswer();
    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> run(args));
    assertThat(held.awaitHeld(Duration.ofSeconds(60))).isTrue();
    String beforeFull = Files.readString(state);

    fill(small.resolve("filler")); // Launchpad made the request; the answer cannot be recorded
    held.release();
    Run first = running.get(60, TimeUnit.SECONDS);

    assertThat(first.exit()).as(first.toString()).isEqualTo(1);
    assertThat(first.out() + first.err()).contains("cannot be written").contains("No space left on device");
    try (Stream<Path> files = Files.list(small)) {
      assertThat(files.map(f -> f.getFileName().toString())).as("no temporary file left")
          .containsExactlyInAnyOrder("state.json", "filler");
    }
    JsonNode journal = JSON.readTree(Files.readString(state));
    assertThat(journal.toString()).as("the last record stands whole: the request sent, its answer unknown")
        .contains("\"phase\":\"REQUESTING\"").isEqualTo(JSON.readTree(beforeFull).toString());

    Files.delete(small.resolve("filler"));
    Run resumed = run("resume", "--state", state.toString());
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(1);
    // Regression: what to do came after the first 240 characters, all the command line shows of
    // an error, and was cut ("retry this target by name (Bu...").
    assertThat(resumed.out()).contains("UNCONFIRMED").containsPattern("retry this target by name \\(on the command"
        + " line: retry --target nginx/22\\.04/amd64; BuildHandle\\.retry with its key\\)")
        .doesNotContain("All targets succeeded");
    assertThat(launchpad.operationCount("requestBuilds")).as("never requested twice").isEqualTo(1);
  }

  private static void fill(Path file) throws IOException {
    byte[] block = new byte[1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }
}
