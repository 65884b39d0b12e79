package dev.imagebuilder.core.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.core.internal.Await;
import dev.imagebuilder.spi.ProcessFailedException;
import dev.imagebuilder.spi.ProcessRunner.Result;
import dev.imagebuilder.spi.ProcessRunner.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProcessRunnerTest {
  private ScheduledExecutorService scheduler;
  private ExecutorService workers;
  private LocalProcessRunner runner;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    scheduler = Executors.newScheduledThreadPool(2);
    workers = Executors.newCachedThreadPool();
    runner = new LocalProcessRunner(scheduler, workers, Duration.ofMillis(300));
  }

  @AfterEach
  void stop() {
    runner.close();
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

  @Test
  void streamsOutputLinesInOrderAndKeepsTheTail() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();

    Result r = runner.run(Spec.of("sh", "-c", "echo one; echo two >&2; printf 'three\\r\\nfour'"),
        lines::add).get(10, TimeUnit.SECONDS);

    assertThat(lines).containsExactly("one", "two", "three", "four");
    assertThat(r.exitStatus()).isZero();
    assertThat(r.outputTail()).containsExactly("one", "two", "three", "four");
    assertThat(r.elapsed()).isPositive();
  }

  @Test
  void passesArgumentsAsTheyAreWithoutAShell() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();

    runner.run(Spec.of("printf", "%s\\n", "$HOME; rm -rf /", "a b"), lines::add)
        .get(10, TimeUnit.SECONDS);

    assertThat(lines).containsExactly("$HOME; rm -rf /", "a b");
  }

  @Test
  void addsAndRemovesEnvironmentVariablesAndRunsInTheDirectory() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Map<String, String> env = new HashMap<>();
    env.put("IMAGEBUILDER_TEST_VALUE", "from the spec");
    env.put("HOME", null);

    runner.run(Spec.of("sh", "-c", "echo \"$IMAGEBUILDER_TEST_VALUE\"; echo \"${HOME-unset}\"; pwd")
        .withEnvironment(env).withDirectory(dir), lines::add).get(10, TimeUnit.SECONDS);

    assertThat(lines).containsExactly("from the spec", "unset", dir.toRealPath().toString());
  }

  @Test
  void aNonZeroExitFailsWithTheStatusAndTheLast50Lines() {
    CompletableFuture<Result> f = runner.run(
        Spec.of("sh", "-c", "i=1; while [ $i -le 60 ]; do echo line $i; i=$((i+1)); done; exit 3"),
        null);

    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(ProcessFailedException.class, e -> {
          assertThat(e.program()).isEqualTo("sh");
          assertThat(e.exitStatus()).isEqualTo(3);
          assertThat(e.timedOut()).isFalse();
          assertThat(e.outputTail()).hasSize(50);
          assertThat(e.outputTail().get(0)).isEqualTo("line 11");
          assertThat(e.outputTail().get(49)).isEqualTo("line 60");
          assertThat(e.getMessage()).contains("exited with status 3").contains("line 60");
        });
  }

  @Test
  void aTimeoutEndsTheProcess() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    long start = System.nanoTime();

    CompletableFuture<Result> f = runner.run(Spec.of("sh", "-c", "echo $$; exec sleep 30")
        .withTimeout(Duration.ofMillis(300)), lines::add);
    long pid = Long.parseLong(lines.poll(5, TimeUnit.SECONDS));

    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(ProcessFailedException.class, e -> {
          assertThat(e.timedOut()).isTrue();
          assertThat(e.exitStatus()).isEqualTo(-1);
          assertThat(e.getMessage()).contains("timed out");
        });
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
    awaitGone(pid);
  }

  @Test
  void aProgramThatIgnoresTermIsKilledAfterTheGrace() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    CompletableFuture<Result> f = runner.run(Spec.of("sh", "-c",
        "trap '' TERM; sleep 30 & echo $!; wait").withTimeout(Duration.ofMillis(200)), lines::add);
    long sleeper = Long.parseLong(lines.poll(5, TimeUnit.SECONDS));

    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(ProcessFailedException.class);
    awaitGone(sleeper);
  }

  @Test
  void cancellingKillsTheWholeProcessTree() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    CompletableFuture<Result> f = runner.run(
        Spec.of("sh", "-c", "sleep 30 & echo $!; wait"), lines::add);
    long grandchild = Long.parseLong(lines.poll(5, TimeUnit.SECONDS));
    assertThat(isRunning(grandchild)).isTrue();

    assertThat(f.cancel(true)).isTrue();

    awaitGone(grandchild);
  }

  @Test
  void aMissingProgramSaysItIsNotOnThePath() {
    assertThat(runner.run(Spec.of("imagebuilder-no-such-program", "--help"), null))
        .failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOfSatisfying(ProcessFailedException.class, e -> {
          assertThat(e.exitStatus()).isEqualTo(-1);
          assertThat(e.getMessage())
              .contains("'imagebuilder-no-such-program' not found on PATH");
        });
  }

  @Test
  void aMissingOrNonExecutableFileOrDirectorySaysWhich() throws IOException {
    Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");

    assertThat(runner.run(Spec.of(dir.resolve("absent").toString()), null))
        .failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withMessageContaining("no such file");
    assertThat(runner.run(Spec.of(script.toString()), null))
        .failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withMessageContaining("is not executable");
    assertThat(runner.run(Spec.of("true").withDirectory(dir.resolve("nowhere")), null))
        .failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withMessageContaining("working directory");
  }

  @Test
  void aThrowingConsumerDoesNotStopTheProcess() throws Exception {
    Result r = runner.run(Spec.of("sh", "-c", "echo a; echo b"), line -> {
      throw new IllegalStateException("listener bug");
    }).get(10, TimeUnit.SECONDS);

    assertThat(r.outputTail()).containsExactly("a", "b");
  }

  @Test
  void splitsOverlongLines() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    int n = LocalProcessRunner.MAX_LINE_CHARS + 10;

    runner.run(Spec.of("sh", "-c", "head -c " + n + " /dev/zero | tr '\\0' x"), lines::add)
        .get(10, TimeUnit.SECONDS);

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).hasSize(LocalProcessRunner.MAX_LINE_CHARS);
    assertThat(lines.get(1)).hasSize(10);
  }

  @Test
  void closeEndsEvenATreeThatIgnoresTermThoughTheSchedulerStopsRightAfter() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    CompletableFuture<Result> f = runner.run(Spec.of("sh", "-c",
        "trap '' TERM; sleep 30 & echo $!; wait"), lines::add);
    long sleeper = Long.parseLong(lines.poll(5, TimeUnit.SECONDS));

    runner.close();
    scheduler.shutdownNow(); // as the engine does right after closing the plumbing

    // Nothing is left to kill it later: the scheduler is gone, so close itself did.
    awaitGone(sleeper);
    assertThat(f).isCancelled();
    assertThat(runner.run(Spec.of("true"), null)).isCompletedExceptionally();
  }

  @Test
  void aBackgroundChildHoldingTheOutputDoesNotHoldTheResultBack() throws Exception {
    long start = System.nanoTime();

    Result r = runner.run(Spec.of("sh", "-c", "sleep 4 & echo started"), null)
        .get(10, TimeUnit.SECONDS);

    assertThat(r.outputTail()).containsExactly("started");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isLessThan(LocalProcessRunner.DRAIN_GRACE.toMillis() + 1500);
  }

  /** Alive and not a zombie waiting to be reaped. */
  private static boolean isRunning(long pid) {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  /** A grandchild is not ours to wait for: its end shows only in /proc. */
  private static void awaitGone(long pid) {
    Await.until("process " + pid + " gone", Duration.ofSeconds(5), () -> !isRunning(pid));
  }
}
