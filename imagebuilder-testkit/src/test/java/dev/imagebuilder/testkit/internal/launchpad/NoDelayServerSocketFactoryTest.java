package dev.imagebuilder.testkit.internal.launchpad;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * Regression: with Nagle's algorithm on the server side every keep-alive exchange with the fake
 * stalled about 40 ms (mockwebserver writes head and body separately, the client delays its ACK).
 */
class NoDelayServerSocketFactoryTest {
  @Test
  void acceptedConnectionsSetTcpNoDelay() throws Exception {
    try (ServerSocket server = new NoDelayServerSocketFactory().createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      assertThat(client.isConnected()).isTrue();
      assertThat(accepted.getTcpNoDelay()).isTrue();
    }
  }
}
