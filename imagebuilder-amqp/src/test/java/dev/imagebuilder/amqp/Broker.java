package dev.imagebuilder.amqp;

import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.imagebuilder.amqp.internal.ProgressReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * The RabbitMQ broker of the system tests, on 127.0.0.1:5672 ({@code .ci/setup.d/amqp.sh}).
 * Tests skip when it is not there, unless {@code IMAGEBUILDER_SYSTEM_TESTS=required}: then they
 * fail. Every test uses queues of its own, deleted afterwards.
 */
final class Broker implements AutoCloseable {
  static final String URI = "amqp://guest:guest@127.0.0.1:5672/%2F";

  private final Connection connection;
  private final Channel channel;
  private final List<String> queues = new ArrayList<>();
  private final List<String> exchanges = new ArrayList<>();

  private Broker(Connection connection) throws IOException {
    this.connection = connection;
    this.channel = connection.createChannel();
  }

  static Broker connect() throws Exception {
    boolean required = "required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 5672), 2000);
    } catch (IOException e) {
      if (required) {
        fail("RabbitMQ is not reachable on 127.0.0.1:5672 (run .ci/setup.d/amqp.sh): " + e);
      }
      Assumptions.abort("RabbitMQ is not reachable on 127.0.0.1:5672 (run .ci/setup.d/amqp.sh)");
    }
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(URI);
    return new Broker(factory.newConnection("imagebuilder-amqp-test"));
  }

  /** A fresh work queue name; it and its companions are deleted by {@link #close()}. */
  String workQueue() {
    String q = "test.work." + UUID.randomUUID();
    queues.add(q);
    queues.add(q + ".dead");
    exchanges.add(q + ".dlx");
    exchanges.add(q + ".control");
    return q;
  }

  /** A fresh, declared queue for progress reports. */
  String triggerQueue() throws IOException {
    String q = "test.trigger." + UUID.randomUUID();
    channel.queueDeclare(q, true, false, false, null);
    queues.add(q);
    return q;
  }

  void deleteQueue(String queue) throws IOException {
    channel.queueDelete(queue);
  }

  void declarePlainQueue(String queue) throws IOException {
    channel.queueDeclare(queue, true, false, false, null);
  }

  void forget(String queue) {
    queues.add(queue);
  }

  void publish(String queue, byte[] body, AMQP.BasicProperties properties) throws IOException {
    channel.basicPublish("", queue, properties, body);
  }

  /** Publishes a wire-format request with a request id; returns the id. */
  String publishRequest(String queue, String json) throws IOException {
    String id = "req-" + UUID.randomUUID();
    publish(queue, json.getBytes(StandardCharsets.UTF_8), new AMQP.BasicProperties.Builder()
        .contentType("application/json").deliveryMode(2)
        .headers(Map.of("x-imagebuilder-request-id", id)).build());
    return id;
  }

  void publishControl(String workQueue, String json) throws IOException {
    channel.basicPublish(workQueue + ".control", "", null, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Makes the broker close the connection a client named {@code connectionName}, as a network
   * failure or a broker restart would ({@code rabbitmqctl close_connection}; the broker runs on
   * this machine).
   */
  void closeConnectionNamed(String connectionName) throws Exception {
    String out = rabbitmqctl("drop a connection", "list_connections", "-q", "--no-table-headers", "pid",
        "client_properties");
    String pid = out.lines()
        .filter(l -> l.contains("{\"connection_name\",\"" + connectionName + "\"}"))
        .map(l -> l.split("\t")[0]).findFirst()
        .orElseThrow(() -> new AssertionError("no connection named " + connectionName + " in " + out));
    Process close = new ProcessBuilder("rabbitmqctl", "close_connection", pid, "test: dropped")
        .redirectErrorStream(true).start();
    String closed = new String(close.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (close.waitFor() != 0) {
      throw new AssertionError("rabbitmqctl close_connection failed: " + closed);
    }
  }

  /**
   * Messages of {@code queue} delivered to a consumer and not acknowledged yet, which
   * {@link #messageCount} does not count ({@code rabbitmqctl list_queues}).
   */
  long unacknowledged(String queue) throws Exception {
    String out = rabbitmqctl("count unacknowledged messages", "list_queues", "-q", "--no-table-headers", "name",
        "messages_unacknowledged");
    return out.lines().map(l -> l.split("\t")).filter(f -> f.length == 2 && f[0].equals(queue))
        .mapToLong(f -> Long.parseLong(f[1].strip())).findFirst()
        .orElseThrow(() -> new AssertionError("no queue " + queue + " in " + out));
  }

  /**
   * Runs {@code rabbitmqctl} (the broker runs on this machine) and returns its output; without it,
   * or when it cannot reach the broker (not root), the test cannot {@code purpose}: it fails when
   * system tests are required, else it is skipped.
   */
  private static String rabbitmqctl(String purpose, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
        fail("rabbitmqctl is needed to " + purpose + ": " + e);
      }
      Assumptions.abort("rabbitmqctl is not available to " + purpose);
      return "";
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      // Not root, or not the broker's machine: rabbitmqctl cannot reach the node.
      if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
        fail("rabbitmqctl " + args[0] + " failed: " + out);
      }
      Assumptions.abort("rabbitmqctl cannot reach the broker: " + out.strip());
    }
    return out;
  }

  boolean exists(String queue) {
    try (Channel ch = connection.createChannel()) {
      ch.queueDeclarePassive(queue);
      return true;
    } catch (IOException e) {
      return false;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  long messageCount(String queue) throws IOException {
    return channel.queueDeclarePassive(queue).getMessageCount();
  }

  /**
   * The next message on {@code queue} within {@code timeout}, or a failure. Consumed and
   * acknowledged as a reader would, on a channel of its own that takes one message at most: the
   * wait ends when the broker delivers it.
   */
  GetResponse next(String queue, Duration timeout) throws Exception {
    BlockingQueue<GetResponse> delivered = new ArrayBlockingQueue<>(1);
    Channel ch = connection.createChannel();
    try {
      ch.basicQos(1); // nothing more comes before the acknowledgement, so nothing else is taken
      String tag = ch.basicConsume(queue, false, (consumerTag, d) -> delivered.offer(
          new GetResponse(d.getEnvelope(), d.getProperties(), d.getBody(), 0)), consumerTag -> {});
      GetResponse r = delivered.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      ch.basicCancel(tag);
      if (r == null) {
        // A delivery racing the cancel is unacknowledged and goes back to the queue on close.
        throw new AssertionError("no message on " + queue + " within " + timeout);
      }
      ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
      return r;
    } finally {
      try {
        ch.close();
      } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
        // already closed by the broker
      }
    }
  }

  /** Reads reports from {@code queue} until one matches; returns every report read. */
  List<ProgressReport> reportsUntil(String queue, Duration timeout, Predicate<ProgressReport> last)
      throws Exception {
    List<ProgressReport> seen = new ArrayList<>();
    Instant end = Instant.now().plus(timeout);
    while (true) {
      Duration left = Duration.between(Instant.now(), end);
      if (left.isNegative()) {
        throw new AssertionError("no matching report on " + queue + "; saw " + seen);
      }
      ProgressReport report = ProgressReport.fromJson(next(queue, left).getBody());
      seen.add(report);
      if (last.test(report)) {
        return seen;
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (String q : queues) {
      try (Channel ch = connection.createChannel()) {
        ch.queueDelete(q);
      } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
        // already gone
      }
    }
    for (String x : exchanges) {
      try (Channel ch = connection.createChannel()) {
        ch.exchangeDelete(x);
      } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
        // already gone
      }
    }
    connection.close();
  }
}
