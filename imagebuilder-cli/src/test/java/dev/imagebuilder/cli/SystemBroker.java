package dev.imagebuilder.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;

/** The RabbitMQ broker of the system tests ({@code .ci/setup.d/amqp.sh}): where it is, and a check that it runs. */
final class SystemBroker {
  static final String URI = "amqp://guest:guest@127.0.0.1:5672/%2F";

  private SystemBroker() {}

  /**
   * Returns when the broker accepts connections; otherwise the test is skipped, or fails under
   * {@code IMAGEBUILDER_SYSTEM_TESTS=required} (CI), so a missing broker is never a silent pass.
   */
  static void require() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 5672), 2000);
    } catch (IOException e) {
      if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
        fail("RabbitMQ is not reachable on 127.0.0.1:5672 (run .ci/setup.d/amqp.sh): " + e);
      }
      Assumptions.abort("RabbitMQ is not reachable on 127.0.0.1:5672 (run .ci/setup.d/amqp.sh)");
    }
  }
}
