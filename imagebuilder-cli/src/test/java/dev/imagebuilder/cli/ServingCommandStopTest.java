package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving commands ({@code worker}, {@code fakes}), each in its own JVM with its own
 * {@code java.io.tmpdir}, stopped by SIGTERM as a service manager or Ctrl-C stops them: they end
 * with the temporary directories they made removed, and what they were given kept.
 *
 * <p>Regressions: {@code worker --launchpad demo} closed its demo Launchpad on the main thread
 * after the shutdown hook, losing the race with the JVM's halt, so every stopped demo worker left
 * the demo's directory (credentials, catalog) behind, and ended 300 ms late; {@code fakes} never
 * removed the directory it made. The worker test needs RabbitMQ (127.0.0.1:5672,
 * {@code .ci/setup.d/amqp.sh}) and skips without it unless {@code IMAGEBUILDER_SYSTEM_TESTS=required}.
 */
class ServingCommandStopTest {

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theDemoWorkerStoppedBySigtermClosesTheDemoAndRemovesItsDirectory() throws Exception {
    SystemBroker.require();
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Served worker = start(tmp, "Serving queue", "worker", "--amqp", SystemBroker.URI, "--queue", "test.stop." + UUID.randomUUID(),
        "--journal", dir.resolve("journal").toString(), "--launchpad", "demo");
    assertThat(entries(tmp, "image-builder-demo")).as("the demo's directory while the worker serves").hasSize(1);

    worker.stopWithSigterm();

    assertThat(entries(tmp, "image-builder-demo")).as("the demo's directory after SIGTERM").isEmpty();
  }

  @Test
  void fakesStoppedBySigtermRemovesTheDirectoryItMade() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Served fakes = start(tmp, "Serving until interrupted", "fakes");
    List<Path> made = entries(tmp, "image-builder-fakes");
    assertThat(made).as("the fakes' directory while they serve").hasSize(1);
    assertThat(made.get(0).resolve("launchpad-credentials")).exists();
    assertThat(fakes.printed()).contains("--credentials " + made.get(0).resolve("launchpad-credentials"));

    fakes.stopWithSigterm();

    assertThat(entries(tmp, "image-builder-fakes")).as("the fakes' directory after SIGTERM").isEmpty();
  }

  @Test
  void fakesStoppedBySigtermKeepsTheOutputDirectoryItWasGiven() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path output = dir.resolve("given");
    Served fakes = start(tmp, "Serving until interrupted", "fakes", "--output", output.toString());

    fakes.stopWithSigterm();

    assertThat(output.resolve("launchpad-credentials")).exists();
    assertThat(output.resolve("launchpad-catalog.json")).exists();
    assertThat(entries(tmp, "image-builder-fakes")).as("no directory of its own").isEmpty();
  }

  /** A serving command in its own JVM, and where its output goes. */
  private record Served(Process process, Path output) {
    String printed() {
      try {
        return Files.exists(output) ? Files.readString(output) : "";
      } catch (IOException e) {
        return "";
      }
    }

    void stopWithSigterm() throws Exception {
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("ended after SIGTERM").isTrue();
      assertThat(process.exitValue()).as(printed()).isEqualTo(143);
    }
  }

  /** Starts the command with {@code tmp} as its temporary directory; returns once it printed {@code ready}. */
  private Served start(Path tmp, String ready, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Path output = dir.resolve(args[0] + "-" + started.size() + ".txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    started.add(p);
    Served served = new Served(p, output);
    Await.until(() -> args[0] + " to serve; printed: " + served.printed(), Duration.ofSeconds(30),
        () -> served.printed().contains(ready));
    return served;
  }

  private static List<Path> entries(Path tmp, String prefix) throws IOException {
    try (Stream<Path> entries = Files.list(tmp)) {
      return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }
}
