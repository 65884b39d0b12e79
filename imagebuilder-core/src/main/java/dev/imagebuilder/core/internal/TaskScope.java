package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.ImageBuildException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The work one build has scheduled. Every task the backend runs goes through here, so that the end
 * of the build, in any form, stops all of it: once {@linkplain #close closed} the scope refuses new
 * tasks and skips queued ones, and {@link #stop} cancels (interrupts) the ones still tracked.
 *
 * <p>A task that throws while the scope is open reports its failure to {@code onFailure} (the
 * build fails); so does an executor that refuses a task (the ImageBuilder is closing).
 */
final class TaskScope {
  /** The scope whose task the current thread is running, if any. */
  private static final ThreadLocal<TaskScope> RUNNING_TASK_OF = new ThreadLocal<>();

  private final Consumer<Throwable> onFailure;
  private final Set<Future<?>> tasks = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  TaskScope(Consumer<Throwable> onFailure) {
    this.onFailure = onFailure;
  }

  /** Whether the build has ended (or is ending): no new work starts. */
  boolean isClosed() {
    return closed;
  }

  /** Refuses new tasks and skips queued ones; what runs now goes on until {@link #stop}. */
  void close() {
    closed = true;
  }

  /** Runs {@code task} after {@code delay}, tracked. */
  Future<?> schedule(ScheduledExecutorService scheduler, Runnable task, Duration delay) {
    return track(t -> scheduler.schedule(t, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS), task);
  }

  /** Runs {@code task} on {@code workers}, tracked. */
  Future<?> execute(ExecutorService workers, Runnable task) {
    return track(workers::submit, task);
  }

  /**
   * Closes the scope and cancels every tracked task. Called from one of the scope's own tasks (the
   * poll that saw the end), the cancel interrupts the very thread that is calling: what runs next on
   * it (completing the result, and with it the callers' dependent stages) must not start
   * interrupted, so that interrupt is cleared again unless the thread was interrupted before.
   */
  void stop() {
    closed = true;
    boolean ownTask = RUNNING_TASK_OF.get() == this;
    boolean interruptedBefore = Thread.currentThread().isInterrupted();
    for (Future<?> f : tasks) {
      f.cancel(true);
    }
    tasks.clear();
    if (ownTask && !interruptedBefore) {
      Thread.interrupted();
    }
  }

  /** How many tasks are tracked now (scheduled or running). */
  int size() {
    return tasks.size();
  }

  private Future<?> track(Function<Runnable, Future<?>> submit, Runnable task) {
    if (closed) {
      return CompletableFuture.completedFuture(null);
    }
    AtomicReference<Future<?>> self = new AtomicReference<>();
    Runnable guarded = () -> {
      RUNNING_TASK_OF.set(this);
      try {
        if (!closed) {
          task.run();
        }
      } catch (Throwable t) {
        if (!closed) {
          onFailure.accept(t);
        }
      } finally {
        RUNNING_TASK_OF.remove();
        Future<?> me = self.get();
        if (me != null) {
          tasks.remove(me);
        }
      }
    };
    Future<?> f;
    try {
      f = submit.apply(guarded);
    } catch (RejectedExecutionException e) {
      onFailure.accept(new ImageBuildException("the ImageBuilder was closed", e));
      return CompletableFuture.completedFuture(null);
    }
    self.set(f);
    tasks.add(f);
    if (f.isDone() || closed) {
      tasks.remove(f);
      if (closed) {
        f.cancel(true);
      }
    }
    return f;
  }
}
