package dev.imagebuilder.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskScopeTest {
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final TaskScope scope = new TaskScope(failures::add);

  @AfterEach
  void shutDown() {
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

  @Test
  void aTaskThatThrowsFailsTheBuild() throws Exception {
    IllegalStateException bug = new IllegalStateException("poll bug");
    Future<?> f = scope.execute(workers, () -> {
      throw bug;
    });
    f.get(10, TimeUnit.SECONDS);

    assertThat(failures).containsExactly(bug);
    assertThat(scope.size()).isZero();
  }

  @Test
  void aClosedScopeRunsNothingNew() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    scope.close();

    Future<?> f = scope.execute(workers, () -> ran.set(true));

    assertThat(f.isDone()).isTrue();
    assertThat(ran).isFalse();
    assertThat(scope.isClosed()).isTrue();
    assertThat(failures).isEmpty();
  }

  @Test
  void stopCancelsWhatIsScheduledAndInterruptsWhatRuns() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    Future<?> scheduled = scope.schedule(scheduler, () -> seen.add("scheduled ran"), Duration.ofHours(1));
    Future<?> blocked = scope.execute(workers, () -> {
      running.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        seen.add("interrupted");
      }
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(scope.size()).isEqualTo(2);

    scope.stop();

    assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("interrupted");
    assertThat(scheduled.isCancelled()).isTrue();
    assertThat(blocked.isCancelled()).isTrue();
    assertThat(scope.size()).isZero();
    assertThat(scope.isClosed()).isTrue();
    assertThat(failures).as("work stopped by the end is no failure").isEmpty();
  }

  @Test
  void stoppingFromOwnTaskLeavesThatThreadUninterrupted() throws Exception {
    BlockingQueue<Boolean> interruptedAfterStop = new LinkedBlockingQueue<>();
    scope.execute(workers, () -> {
      scope.stop();
      // What follows the stop on this thread (completing the result, callers' stages) runs normally.
      interruptedAfterStop.add(Thread.currentThread().isInterrupted());
    });

    assertThat(interruptedAfterStop.poll(10, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void stoppingFromAnotherThreadKeepsItsOwnInterrupt() {
    Thread.currentThread().interrupt();
    try {
      scope.stop();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void anExecutorThatRefusesFailsTheBuildSayingTheBuilderClosed() {
    workers.shutdown();

    Future<?> f = scope.execute(workers, () -> {});

    assertThat(f.isDone()).isTrue();
    assertThat(failures).singleElement()
        .satisfies(e -> assertThat(e).hasMessage("the ImageBuilder was closed"));
  }

  @Test
  void aTaskFailingAfterTheEndIsNoFailure() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<?> f = scope.execute(workers, () -> {
      started.countDown();
      awaitUninterruptibly(release);
      throw new IllegalStateException("too late");
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    scope.close();
    release.countDown();
    f.get(10, TimeUnit.SECONDS);

    assertThat(failures).isEmpty();
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // keep waiting: the test releases it
      }
    }
  }
}
