package dev.imagebuilder.cli.internal;

import dev.imagebuilder.core.internal.http.ClientThreads;
import java.util.concurrent.CountDownLatch;

/**
 * How the serving commands ({@code fakes}, {@code worker}) end: on Ctrl-C a shutdown hook runs
 * their stop action; run in-process (no hook), an interrupt of the calling thread ends them.
 */
final class ServeUntilInterrupted {
  private ServeUntilInterrupted() {}

  /** Blocks until stopped; returns the exit status. */
  static int await(Invocation invocation, String hookName, Runnable stop) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = null;
    if (invocation.ownsProcess()) {
      hook = new Thread(() -> {
        stopping(stop);
        stopped.countDown();
      }, hookName);
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      stopped.await();
      return ExitCode.OK;
    } catch (InterruptedException e) {
      return ExitCode.INTERRUPTED;
    } finally {
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutting down: the hook is running the stop action
        }
      }
    }
  }

  /**
   * What the hook does: the command's stop action, then the JDK clients' selector threads. The
   * process ends after the hooks, not through Main's exit, which stops them otherwise: left
   * running, Java waits 300 ms for them (see ClientThreads). The worker took a third of a second
   * to end after Ctrl-C or SIGTERM, and 25 ms with this.
   */
  static void stopping(Runnable stop) {
    stop.run();
    ClientThreads.stopAll(100);
  }
}
