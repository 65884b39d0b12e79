package dev.imagebuilder.core.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The few threads an ImageBuilder runs everything on, whatever the number of builds: a polling
 * scheduler, a bounded worker pool for blocking work, and an event pool for listeners.
 */
public final class EngineThreads implements AutoCloseable {
  private final ScheduledThreadPoolExecutor scheduler;
  private final ThreadPoolExecutor workers;
  private final ThreadPoolExecutor events;

  public EngineThreads(int schedulerThreads, int workerThreads, int eventThreads) {
    scheduler = new ScheduledThreadPoolExecutor(schedulerThreads, daemon("imagebuilder-scheduler"));
    // Cancelled polls must not pile up in the queue until their delay runs out.
    scheduler.setRemoveOnCancelPolicy(true);
    workers = bounded(workerThreads, "imagebuilder-worker");
    events = bounded(eventThreads, "imagebuilder-events");
  }

  private static ThreadPoolExecutor bounded(int threads, String name) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), daemon(name));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      // Tracking must never keep a JVM alive: remote builds go on, and tickets resume them.
      t.setDaemon(true);
      return t;
    };
  }

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  public ExecutorService workers() {
    return workers;
  }

  public ExecutorService events() {
    return events;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    workers.shutdownNow();
    // Let queued events (completion notices) reach listeners.
    events.shutdown();
    try {
      events.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
