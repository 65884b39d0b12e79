package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.RecordedCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash-point harness for the queue worker: the real {@code image-builder worker} in its own
 * JVM, against RabbitMQ (127.0.0.1:5672, {@code .ci/setup.d/amqp.sh}) and FakeLaunchpad, stopped
 * dead at a ticket record, then a second worker takes the request over. Whatever the point, the
 * request ends with one terminal report that is honest: never SUCCEEDED without targets, never a
 * target SUCCEEDED unless its build is Uploaded, and at most one requestBuilds per recipe. Skips
 * without a broker, unless {@code IMAGEBUILDER_SYSTEM_TESTS=required}.
 */
class WorkerCrashPointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @org.junit.jupiter.api.io.TempDir Path dir;
  FakeLaunchpad launchpad;
  Connection connection;
  Channel channel;
  String queue;
  String trigger;
  Path output;
  final List<Process> workers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    SystemBroker.require();
    launchpad = FakeLaunchpad.start(); // manual clock, moved by drive()
    DemoData.install(launchpad);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(SystemBroker.URI);
    connection = factory.newConnection("imagebuilder-worker-crash-test");
    channel = connection.createChannel();
    queue = "test.crash.work." + UUID.randomUUID();
    trigger = "test.crash.trigger." + UUID.randomUUID();
    channel.queueDeclare(trigger, true, false, false, null);
    output = dir.resolve("workers.txt");
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : workers) {
      p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    if (channel != null) {
      for (String q : List.of(trigger, queue, queue + ".dead")) {
        try (Channel c = connection.createChannel()) {
          c.queueDelete(q);
        } catch (IOException | RuntimeException e) {
          // not declared
        }
      }
      connection.close();
    }
    if (launchpad != null) {
      launchpad.close();
    }
  }

  static Stream<String> points() {
    return Stream.of("checkpoint-before:1", "checkpoint-after:1", "checkpoint-after:2", "checkpoint-before:3");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("points")
  void aWorkerKilledAtARecordIsTakenOverAndTheRequestEndsHonestly(String point) throws Exception {
    Process first = worker(point);
    // The worker declares its queue (with its dead-letter arguments) before it says it serves it.
    long serving = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!printed().contains("Serving queue")) {
      assertThat(first.isAlive()).as(printed()).isTrue();
      assertThat(System.nanoTime()).as(printed()).isLessThan(serving);
      first.waitFor(50, TimeUnit.MILLISECONDS);
    }
    publish("[{\"image_type\": \"oci\", \"images\": [\"redis\", \"nginx\"], \"series\": [\"22.04\"],"
        + " \"architectures\": [\"amd64\"], \"trigger\": \"" + trigger + "\"}]");
    List<JsonNode> reports = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Process current = first;
    long polledAtLastMove = polls();
    while (!terminal(reports)) {
      assertThat(System.nanoTime()).as(printed() + reports).isLessThan(deadline);
      if (!current.isAlive()) {
        assertThat(current.exitValue()).as(printed()).isEqualTo(137);
        current = worker(null); // the takeover: a worker without a crash point
      }
      GetResponse r = channel.basicGet(trigger, true);
      if (r != null) {
        reports.add(JSON.readTree(r.getBody()));
        continue;
      }
      current.waitFor(50, TimeUnit.MILLISECONDS);
      if (polls() >= polledAtLastMove + 2 && current.isAlive()) {
        // The worker has looked twice since the farm last moved: move it (never while none runs).
        launchpad.advancePhases(1);
        polledAtLastMove = polls();
      }
    }

    JsonNode end = reports.get(reports.size() - 1);
    List<JsonNode> targets = new ArrayList<>();
    end.path("targets").forEach(targets::add);
    assertThat(targets).as("an end with targets: " + end).hasSize(2);
    Map<String, Long> perRecipe = launchpad.requests().stream()
        .filter(c -> "requestBuilds".equals(c.wsOp()) && c.processed())
        .collect(Collectors.groupingBy(RecordedCall::path, Collectors.counting()));
    assertThat(perRecipe.values()).as("requestBuilds per recipe: " + perRecipe).allMatch(n -> n == 1);
    for (JsonNode t : targets) {
      String state = t.path("state").asText();
      assertThat(state).as(end.toString()).isIn("SUCCEEDED", "UNCONFIRMED");
      if (state.equals("SUCCEEDED")) {
        assertThat(t.path("raw_state").asText()).as(end.toString()).endsWith("/ Uploaded");
      } else {
        assertThat(t.path("web_link").asText()).isNotEmpty();
      }
    }
    assertThat(end.path("status").asText()).isEqualTo(
        targets.stream().allMatch(t -> t.path("state").asText().equals("SUCCEEDED")) ? "SUCCEEDED" : "FAILED");
  }

  private boolean terminal(List<JsonNode> reports) {
    return !reports.isEmpty() && List.of("completed", "failed").contains(reports.get(reports.size() - 1).path("state").asText());
  }

  private long polls() {
    return launchpad.requests().stream().filter(c -> c.method().equals("GET")).count();
  }

  private void publish(String body) throws IOException {
    channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().contentType("application/json")
        .deliveryMode(2).messageId("req-" + UUID.randomUUID()).build(), body.getBytes(StandardCharsets.UTF_8));
  }

  private Process worker(String crashAt) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (crashAt != null) {
      command.add("-Dimagebuilder.crash-at=" + crashAt);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "worker", "--amqp", SystemBroker.URI, "--queue", queue, "--journal", dir.resolve("journal").toString(),
        "--progress-interval", "1s", "--launchpad", launchpad.serviceRoot().toString(),
        "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
        "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
        "--poll-interval", "100ms"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
    workers.add(p);
    return p;
  }

  private String printed() throws IOException {
    return Files.exists(output) ? Files.readString(output) : "";
  }
}
