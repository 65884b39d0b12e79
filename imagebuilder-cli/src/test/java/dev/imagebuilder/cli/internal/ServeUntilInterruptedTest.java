package dev.imagebuilder.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.testkit.Await;
import java.lang.ref.Reference;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * How {@code fakes} and {@code worker} stop on Ctrl-C or SIGTERM: their shutdown hook runs the
 * command's stop action, then stops the JDK clients' selector threads, which would otherwise hold
 * up the JVM's exit by 300 ms (regression: the worker ended a third of a second after SIGTERM).
 */
class ServeUntilInterruptedTest {
  @Test
  void stoppingRunsTheStopActionThenStopsTheClientsSelectorThreads() {
    HttpClient client = HttpClient.newHttpClient();
    List<Thread> selectors = selectorThreads();
    assertThat(selectors).as("the client's selector thread").isNotEmpty();
    AtomicBoolean stopped = new AtomicBoolean();

    ServeUntilInterrupted.stopping(() -> stopped.set(true));

    assertThat(stopped).isTrue();
    Await.until("the selector threads to end", Duration.ofSeconds(10),
        () -> selectors.stream().noneMatch(Thread::isAlive));
    // Held to here: a client nobody holds ends its selector thread by itself, sooner or later.
    Reference.reachabilityFence(client);
  }

  private static List<Thread> selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager")).toList();
  }
}
