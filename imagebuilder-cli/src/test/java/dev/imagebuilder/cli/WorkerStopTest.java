package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.imagebuilder.testkit.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code image-builder worker --launchpad demo} in its own JVM, stopped by SIGTERM as a
 * service manager or Ctrl-C stops it: it ends with its demo Launchpad closed and the demo's
 * temporary directory (credentials, catalog) gone. Regression: the close ran on the main thread
 * after the shutdown hook and lost the race with the JVM's halt, so every stopped demo worker
 * left a directory behind (and ended 300 ms late). Needs RabbitMQ (127.0.0.1:5672,
 * {@code .ci/setup.d/amqp.sh}); skips without it unless {@code IMAGEBUILDER_SYSTEM_TESTS=required}.
 */
class WorkerStopTest {
  private static final String BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F";

  @TempDir Path dir;

  @BeforeEach
  void broker() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 5672), 2000);
    } catch (IOException e) {
      if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
        fail("RabbitMQ is not reachable on 127.0.0.1:5672 (run .ci/setup.d/amqp.sh): " + e);
      }
      Assumptions.abort("RabbitMQ is not reachable on 127.0.0.1:5672 (run .ci/setup.d/amqp.sh)");
    }
  }

  @Test
  void sigtermClosesTheDemoLaunchpadAndRemovesItsDirectory() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path output = dir.resolve("worker.txt");
    Process worker = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.io.tmpdir=" + tmp,
            "-cp", System.getProperty("java.class.path"), Main.class.getName(),
            "worker", "--amqp", BROKER, "--queue", "test.stop." + UUID.randomUUID(),
            "--journal", dir.resolve("journal").toString(), "--launchpad", "demo"))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      Await.until("the worker to serve its queue", () -> printed(output).contains("Serving queue"));
      assertThat(demoDirectories(tmp)).as("the demo's directory while the worker serves").hasSize(1);

      worker.destroy(); // SIGTERM

      assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(worker.exitValue()).as(printed(output)).isEqualTo(143);
      assertThat(demoDirectories(tmp)).as("the demo's directory after SIGTERM").isEmpty();
    } finally {
      worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String printed(Path output) {
    try {
      return Files.exists(output) ? Files.readString(output) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static List<Path> demoDirectories(Path tmp) throws IOException {
    try (Stream<Path> entries = Files.list(tmp)) {
      return entries.filter(p -> p.getFileName().toString().startsWith("image-builder-demo")).toList();
    }
  }
}
