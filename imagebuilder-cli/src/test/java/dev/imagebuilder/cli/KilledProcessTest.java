package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command in its own JVM, stopped from outside while it waits: by SIGKILL (nothing runs, the
 * journal must already be whole) and by SIGTERM (the shutdown hook reports and exits 143). Either
 * way a resume finishes the builds without a new requestBuilds.
 */
class KilledProcessTest {
  @TempDir Path dir;
  FakeLaunchpad launchpad;
  Path state;
  List<String> command;

  @BeforeEach
  void start() {
    launchpad = FakeLaunchpad.start(); // manual clock: the builds wait for the test
    DemoData.install(launchpad);
    state = dir.resolve("state.json");
    command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--launchpad", launchpad.serviceRoot().toString(),
        "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
        "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
        "--poll-interval", "100ms", "--state", state.toString(),
        "--wait", "--series", "22.04,24.04", "--arch", "amd64", "--", "nginx"));
  }

  @AfterEach
  void stop() {
    launchpad.close();
  }

  @Test
  void killedWithSigkillTheRunResumesFromItsJournal() throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.txt").toFile()).start();
    awaitBuildRequests(p, 2);

    p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);

    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(2);
    launchpad.advancePhases(20);
    Run resumed = run("resume", "--state", state.toString());
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(0);
    assertThat(resumed.out()).contains("2 targets: 2 succeeded.");
    assertThat(launchpad.operationCount("requestBuilds")).as("nothing submitted again").isEqualTo(2);
  }

  @Test
  void sigtermStopsWaitingSaysHowToResumeAndCancelsNothing() throws Exception {
    File out = dir.resolve("out.txt").toFile();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
    awaitBuildRequests(p, 2);

    p.destroy(); // SIGTERM: the shutdown hook runs, as on Ctrl-C
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    String printed = Files.readString(out.toPath(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(printed).isEqualTo(143);
    assertThat(printed).contains("Interrupted: stopped waiting, nothing was cancelled")
        .contains("image-builder resume --state " + state.toAbsolutePath());
    assertThat(launchpad.operationCount("cancel")).isZero();

    launchpad.advancePhases(20);
    Run resumed = run("resume", "--state", state.toString());
    assertThat(resumed.exit()).as(resumed.toString()).isEqualTo(0);
    assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(2);
  }

  /** Until the journal names as many build requests: the requests were answered and recorded. */
  private void awaitBuildRequests(Process p, int count) {
    Await.until("the journal to name " + count + " build requests", Duration.ofSeconds(30), () -> {
      try {
        assertThat(p.isAlive()).as(Files.readString(dir.resolve("out.txt"))).isTrue();
        String journal = Files.exists(state) ? Files.readString(state) : "";
        return journal.split("\\+build-request/", -1).length - 1 >= count;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
