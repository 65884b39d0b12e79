package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code image-builder worker} against the RabbitMQ broker of the system tests (127.0.0.1:5672,
 * {@code .ci/setup.d/amqp.sh}) and the fake Launchpad: a wire-format request published to the
 * work queue is built, and its progress ends SUCCEEDED on the trigger queue. Skips without a
 * broker, unless {@code IMAGEBUILDER_SYSTEM_TESTS=required}.
 */
class WorkerCommandTest {

  @TempDir Path dir;

  @Test
  void theWorkerBuildsARequestFromTheQueueAndReportsItsEnd() throws Exception {
    SystemBroker.require();
    String queue = "test.cli.work." + UUID.randomUUID();
    String trigger = "test.cli.trigger." + UUID.randomUUID();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(SystemBroker.URI);
    try (FakeLaunchpad launchpad = FakeLaunchpad.builder().realTime(Duration.ofMillis(150)).start();
         Connection connection = factory.newConnection("imagebuilder-cli-test");
         Channel channel = connection.createChannel()) {
      DemoData.install(launchpad);
      channel.queueDeclare(trigger, true, false, false, null);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AtomicInteger exit = new AtomicInteger(-1);
      Thread worker = new Thread(() -> exit.set(Main.run(new String[] {"worker", "--amqp", SystemBroker.URI,
          "--queue", queue, "--journal", dir.resolve("journal").toString(), "--progress-interval", "1s",
          "--launchpad", launchpad.serviceRoot().toString(),
          "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
          "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
          "--poll-interval", "100ms"},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true))));
      worker.start();
      try {
        Await.until("the worker serving", Duration.ofSeconds(30), () -> {
          assertThat(exit.get()).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(-1);
          return out.toString(StandardCharsets.UTF_8).contains("Serving queue");
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("amqp://127.0.0.1:5672").doesNotContain("guest:guest");

        String request = "[{\"image_type\": \"oci\", \"images\": [\"nginx\"], \"series\": [\"24.04\"],"
            + " \"architectures\": [\"amd64\"], \"trigger\": \"" + trigger + "\"}]";
        channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().contentType("application/json")
            .deliveryMode(2).headers(Map.of("x-imagebuilder-request-id", "req-" + UUID.randomUUID())).build(),
            request.getBytes(StandardCharsets.UTF_8));

        BlockingQueue<byte[]> delivered = new LinkedBlockingQueue<>();
        channel.basicConsume(trigger, true, (tag, delivery) -> delivered.add(delivery.getBody()), tag -> { });
        List<JsonNode> reports = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        Instant end = Instant.now().plusSeconds(60);
        while (reports.isEmpty() || !reports.get(reports.size() - 1).path("status").asText().equals("SUCCEEDED")) {
          byte[] report = delivered.poll(Math.max(0, Duration.between(Instant.now(), end).toMillis()),
              TimeUnit.MILLISECONDS);
          assertThat(report).as("a report within 60 s; reports so far: " + reports).isNotNull();
          reports.add(json.readTree(report));
        }
        assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);
      } finally {
        worker.interrupt();
        worker.join(30_000);
        channel.queueDelete(trigger);
        for (String q : List.of(queue, queue + ".dead")) {
          try (Channel c = connection.createChannel()) {
            c.queueDelete(q);
          } catch (IOException | RuntimeException e) {
            // not declared
          }
        }
      }
      assertThat(exit.get()).isEqualTo(130);
    }
  }

  /** Regression: a password holding '@' was printed with the URI the worker refused. */
  @Test
  void aBadBrokerUriExitsTwoWithoutShowingItsPassword() {
    CommandRunner.Run r = CommandRunner.run("worker", "--amqp", "amqp://user:p@ssw0rd@127.0.0.1:5672/",
        "--queue", "test.cli.bad-uri", "--journal", dir.resolve("journal").toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("image-builder: --amqp: ").contains("***@127.0.0.1:5672");
    CommandRunner.Run prefetch = CommandRunner.run("worker", "--amqp", "amqp://127.0.0.1/", "--prefetch", "0",
        "--queue", "test.cli.bad-prefetch", "--journal", dir.resolve("journal").toString());
    assertThat(prefetch.exit()).as(prefetch.toString()).isEqualTo(2);
    assertThat(prefetch.err()).startsWith("image-builder: --prefetch: ").contains("0");
    assertThat(r.out() + r.err()).doesNotContain("ssw0rd");
  }

  /** Regression: an unreachable broker was an "unexpected error" naming UncheckedIOException. */
  @Test
  void anUnreachableBrokerExitsOneWithItsReason() {
    CommandRunner.Run r = CommandRunner.run("worker", "--amqp", "amqp://guest:s3cret@127.0.0.1:1/",
        "--queue", "test.cli.unreachable", "--journal", dir.resolve("journal").toString());

    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).startsWith("image-builder: the worker could not start: ")
        .doesNotContain("unexpected").doesNotContain("Exception").doesNotContain("s3cret");
  }
}
