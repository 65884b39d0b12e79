package dev.imagebuilder.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.core.internal.Await;
import java.lang.ref.Reference;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The JDK client's selector thread, which waits in native code until its client is collected and
 * so holds up the JVM's exit by up to 300 ms: found from the client, and stopped.
 */
class ClientThreadsTest {
  @Test
  void theSelectorThreadOfAClientIsFoundAndStopped() {
    HttpClient client = HttpClient.newHttpClient();
    Thread selector = ClientThreads.selectorThread(client);
    assertThat(selector).as("the selector thread of %s", client).isNotNull();
    assertThat(selector.isAlive()).isTrue();

    ClientThreads.stop(client, 5_000);

    Await.until("the selector thread to end", Duration.ofSeconds(10), () -> !selector.isAlive());
    // Held to here: a client nobody holds ends its selector thread by itself, sooner or later.
    Reference.reachabilityFence(client);
  }

  @Test
  void stopAllStopsTheSelectorThreadsOfClientsNobodyCloses() {
    HttpClient first = HttpClient.newHttpClient();
    HttpClient second = HttpClient.newHttpClient();
    Thread one = ClientThreads.selectorThread(first);
    Thread two = ClientThreads.selectorThread(second);
    assertThat(one).isNotNull().isNotSameAs(two);
    assertThat(two).isNotNull();

    ClientThreads.stopAll(5_000);

    Await.until("both selector threads to end", Duration.ofSeconds(10), () -> !one.isAlive() && !two.isAlive());
    Reference.reachabilityFence(first);
    Reference.reachabilityFence(second);
  }
}
