package dev.imagebuilder.core.internal.process;

import dev.imagebuilder.spi.ProcessFailedException;
import dev.imagebuilder.spi.ProcessRunner;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ProcessRunner} on {@link ProcessBuilder}: an argument list (never a shell), the inherited
 * environment with the spec's additions and removals, stdin closed at once, stdout and stderr
 * merged and read line by line on a worker thread. Timeouts and cancellation end the whole process
 * tree: TERM to the process and its descendants, KILL to whatever is left after a grace period.
 */
public final class LocalProcessRunner implements ProcessRunner, AutoCloseable {
  static final int TAIL_LINES = 50;
  static final int MAX_LINE_CHARS = 16 * 1024;
  static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);
  /** How long output may go on after the process exited (a background child holding the pipe). */
  static final Duration DRAIN_GRACE = Duration.ofSeconds(2);
  private static final Logger log = LoggerFactory.getLogger(LocalProcessRunner.class);

  private final ScheduledExecutorService scheduler;
  private final Executor workers;
  private final Duration killGrace;
  private final Set<Running> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param scheduler runs timeouts and the TERM-to-KILL escalation; not owned
   * @param workers reads each running process's output (one thread per process while it runs);
   *     not owned
   */
  public LocalProcessRunner(ScheduledExecutorService scheduler, Executor workers) {
    this(scheduler, workers, DEFAULT_KILL_GRACE);
  }

  LocalProcessRunner(ScheduledExecutorService scheduler, Executor workers, Duration killGrace) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.killGrace = Objects.requireNonNull(killGrace, "killGrace");
  }

  @Override
  public CompletableFuture<Result> run(Spec spec, Consumer<String> outputLines) {
    Objects.requireNonNull(spec, "spec");
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the process runner is closed"));
    }
    Consumer<String> sink = outputLines == null ? line -> {} : outputLines;
    ProcessBuilder builder = new ProcessBuilder(spec.command()).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    spec.environment().forEach((name, value) -> {
      if (value == null) {
        environment.remove(name);
      } else {
        environment.put(name, value);
      }
    });
    if (spec.directory() != null) {
      if (!Files.isDirectory(spec.directory())) {
        return CompletableFuture.failedFuture(new ProcessFailedException(spec.program(), -1,
            false, List.of(), "working directory " + spec.directory() + " does not exist"));
      }
      builder.directory(spec.directory().toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new ProcessFailedException(spec.program(), -1, false,
          List.of(), whyNotStarted(spec, e)));
    }
    // Programs that read stdin see its end instead of waiting for input that never comes.
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // it may have exited already
    }
    // The arguments may carry secrets (passwords for virt-customize); the program name does not.
    log.debug("started {} (pid {}, {} arguments)", spec.program(), process.pid(),
        spec.command().size() - 1);
    Running r = new Running(spec, process, sink);
    running.add(r);
    r.start();
    return r.result;
  }

  /**
   * Ends every process still running, with its descendants, before returning: TERM, then KILL
   * for what is left after the grace (waited for here, since the scheduler may be shut down next).
   */
  @Override
  public void close() {
    closed = true;
    List<List<ProcessHandle>> trees = new java.util.ArrayList<>();
    for (Running r : List.copyOf(running)) {
      trees.add(ProcessTree.snapshot(r.process.toHandle()));
      // Cancelled before any signal, so that the caller sees a cancellation rather than the
      // exit status the signal causes; the trees are ended here, not by the cancel.
      r.endedByClose = true;
      r.result.cancel(true);
    }
    ProcessTree.killAndWait(trees, killGrace);
  }

  private final class Running {
    final Spec spec;
    final Process process;
    final Consumer<String> consumer;
    final CompletableFuture<Result> result = new CompletableFuture<>();
    final OutputTail tail = new OutputTail(TAIL_LINES);
    final CompletableFuture<Void> drained = new CompletableFuture<>();
    final long startNanos = System.nanoTime();
    volatile boolean timedOut;
    volatile boolean forwarding = true;
    volatile boolean endedByClose;
    private boolean consumerFailed;
    private Future<?> timeoutTask;

    Running(Spec spec, Process process, Consumer<String> consumer) {
      this.spec = spec;
      this.process = process;
      this.consumer = consumer;
    }

    void start() {
      result.whenComplete((r, failure) -> {
        running.remove(this);
        forwarding = false;
        if (timeoutTask != null) {
          timeoutTask.cancel(false);
        }
        if (result.isCancelled() && !endedByClose) {
          log.debug("{} (pid {}) cancelled; ending its process tree", spec.program(),
              process.pid());
          killTree();
        }
      });
      try {
        workers.execute(this::pump);
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(new ProcessFailedException(spec.program(), -1, false,
            List.of(), "the worker pool is shut down"));
        killTree();
        return;
      }
      if (spec.timeout() != null) {
        try {
          timeoutTask = scheduler.schedule(this::timeOut, spec.timeout().toMillis(),
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          result.cancel(true);
          return;
        }
      }
      process.onExit().thenRun(() -> {
        // Output still in the pipe is read before the result is decided; a descendant that
        // keeps the pipe open does not hold the result back for longer than the drain grace.
        try {
          scheduler.schedule(() -> drained.complete(null), DRAIN_GRACE.toMillis(),
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          drained.complete(null);
        }
        drained.thenRun(this::finish);
      });
    }

    private void timeOut() {
      if (!result.isDone()) {
        timedOut = true;
        log.debug("{} (pid {}) timed out after {}", spec.program(), process.pid(), spec.timeout());
        killTree();
      }
    }

    private void killTree() {
      ProcessTree.kill(process.toHandle(), killGrace, scheduler);
    }

    private void pump() {
      try (Reader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
        new LineSplitter(MAX_LINE_CHARS).split(in, this::line);
      } catch (IOException e) {
        // The pipe closes under us when the tree is killed.
        log.debug("output of {} ended: {}", spec.program(), e.toString());
      } finally {
        drained.complete(null);
      }
    }

    private void line(String line) {
      tail.add(line);
      if (!forwarding) {
        return;
      }
      try {
        consumer.accept(line);
      } catch (RuntimeException e) {
        if (!consumerFailed) {
          consumerFailed = true;
          log.warn("the output consumer of {} failed; output goes on", spec.program(), e);
        }
      }
    }

    private void finish() {
      List<String> lines = tail.snapshot();
      int status = process.exitValue();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      if (timedOut) {
        result.completeExceptionally(new ProcessFailedException(spec.program(), -1, true, lines,
            "ended after " + spec.timeout()));
      } else if (status != 0) {
        result.completeExceptionally(new ProcessFailedException(spec.program(), status, false,
            lines, null));
      } else {
        result.complete(new Result(status, lines, elapsed));
      }
      forwarding = false;
    }
  }

  /** A precise reason a program could not start, for the most common mistakes. */
  static String whyNotStarted(Spec spec, IOException e) {
    String program = spec.program();
    if (!program.contains(File.separator)) {
      String path = System.getenv("PATH");
      boolean found = path != null && java.util.Arrays.stream(path.split(File.pathSeparator))
          .filter(dir -> !dir.isEmpty())
          .map(dir -> Path.of(dir, program))
          .anyMatch(Files::isExecutable);
      if (!found) {
        return "'" + program + "' not found on PATH";
      }
    } else {
      Path p = spec.directory() == null ? Path.of(program) : spec.directory().resolve(program);
      if (!Files.exists(p)) {
        return "no such file " + p;
      }
      if (!Files.isExecutable(p)) {
        return p + " is not executable";
      }
    }
    String message = e.getMessage();
    return message == null ? e.toString() : message;
  }
}
