package dev.imagebuilder.cli.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C while waiting: a shutdown hook interrupts the waiting thread and holds the JVM's exit
 * until the command has written its state file and printed how to resume. It cancels nothing.
 * Only installed when the command owns the process.
 */
final class InterruptGuard implements AutoCloseable {
  private static final long GRACE_SECONDS = 10;

  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  InterruptGuard(boolean install) {
    if (!install) {
      hook = null;
      return;
    }
    Thread waiting = Thread.currentThread();
    hook = new Thread(() -> {
      waiting.interrupt();
      try {
        finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "image-builder-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The command has reported; the JVM may exit. */
  @Override
  public void close() {
    finished.countDown();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already: the hook is running and has just been released
      }
    }
  }
}
