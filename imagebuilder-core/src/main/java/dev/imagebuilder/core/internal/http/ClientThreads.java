package dev.imagebuilder.core.internal.http;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Stops the selector thread of a JDK {@link HttpClient} whose owner is done with it.
 *
 * <p>Why: every JDK client has a selector thread that waits in native {@code epoll_wait} until
 * the client is garbage collected. When the JVM exits it waits up to 300 ms for threads in native
 * code to come back (HotSpot's {@code VM_Exit::wait_for_threads_in_native_to_block}), so a
 * short command that made one HTTP call ended a third of a second after its work was done (issue
 * #16, docs/benchmarks.md). Java 21 added {@code HttpClient.shutdownNow()}, which is used when
 * present. Java 17 has no way to close a client: its selector thread is named
 * {@code HttpClient-<id>-SelectorManager}, with the id the client's {@code toString()} ends with
 * (the JDK's own tests find it that way), and it shuts the client down when interrupted. Nothing
 * is done when the thread cannot be found.
 */
final class ClientThreads {
  private static final Method SHUTDOWN_NOW = method("shutdownNow");
  private static final Method AWAIT_TERMINATION = method("awaitTermination", Duration.class);

  private ClientThreads() {}

  /** Stops {@code client}'s selector thread, waiting at most {@code waitMillis} for it to end. */
  static void stop(HttpClient client, long waitMillis) {
    if (SHUTDOWN_NOW != null && AWAIT_TERMINATION != null) {
      try {
        SHUTDOWN_NOW.invoke(client);
        AWAIT_TERMINATION.invoke(client, Duration.ofMillis(waitMillis));
        return;
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        // fall back to the thread
      } catch (IllegalAccessException e) {
        // fall back to the thread
      }
    }
    Thread selector = selectorThread(client);
    if (selector == null) {
      return;
    }
    selector.interrupt();
    try {
      selector.join(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The selector thread of {@code client}, or null when it is not running or not found. */
  static Thread selectorThread(HttpClient client) {
    String self = client.toString();
    int open = self.lastIndexOf('(');
    if (open < 0 || !self.endsWith(")")) {
      return null;
    }
    String name = "HttpClient-" + self.substring(open + 1, self.length() - 1) + "-SelectorManager";
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() + 16];
    int n = root.enumerate(threads, true);
    for (int i = 0; i < n; i++) {
      if (name.equals(threads[i].getName())) {
        return threads[i];
      }
    }
    return null;
  }

  private static Method method(String name, Class<?>... parameters) {
    try {
      return HttpClient.class.getMethod(name, parameters);
    } catch (NoSuchMethodException e) {
      return null; // Java 17 to 20
    }
  }
}
