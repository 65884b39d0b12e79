package dev.imagebuilder.core.internal.http;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

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
 *
 * <p>{@link #stopAll} is for a process about to exit (the command line), whose other clients
 * (Launchpad login, catalog search, build logs) are not closed by anyone.
 */
public final class ClientThreads {
  private static final Pattern SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");

  private ClientThreads() {}

  /** Stops {@code client}'s selector thread, waiting at most {@code waitMillis} for it to end. */
  static void stop(HttpClient client, long waitMillis) {
    if (Java21.SHUTDOWN_NOW != null && Java21.AWAIT_TERMINATION != null) {
      try {
        Java21.SHUTDOWN_NOW.invoke(client);
        Java21.AWAIT_TERMINATION.invoke(client, Duration.ofMillis(waitMillis));
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

  /**
   * Stops the selector thread of every JDK client in this JVM, waiting at most
   * {@code waitMillis} in all: only when the process is about to exit, since it ends clients that
   * others may still hold.
   */
  public static void stopAll(long waitMillis) {
    List<Thread> stopped = new ArrayList<>();
    for (Thread t : threads()) {
      if (SELECTOR.matcher(t.getName()).matches()) {
        t.interrupt();
        stopped.add(t);
      }
    }
    long deadline = System.nanoTime() + waitMillis * 1_000_000;
    try {
      for (Thread t : stopped) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left > 0) {
          t.join(left);
        }
      }
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
    for (Thread t : threads()) {
      if (name.equals(t.getName())) {
        return t;
      }
    }
    return null;
  }

  private static List<Thread> threads() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() + 16];
    int n = root.enumerate(threads, true);
    return Arrays.asList(threads).subList(0, n);
  }

  /**
   * Java 21's methods to close a client, or null. Looked up on first use, not when the class is:
   * {@link #stopAll} runs at the end of every command, and on Java 17 the two failed lookups
   * (reflection on HttpClient, the exceptions' messages built with streams) loaded 38 more classes
   * at the end of a {@code --help}.
   */
  private static final class Java21 {
    static final Method SHUTDOWN_NOW = method("shutdownNow");
    static final Method AWAIT_TERMINATION = method("awaitTermination", Duration.class);

    private static Method method(String name, Class<?>... parameters) {
      try {
        return HttpClient.class.getMethod(name, parameters);
      } catch (NoSuchMethodException e) {
        return null; // Java 17 to 20
      }
    }
  }
}
