package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.BuildTimeoutException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ImageBuilder closed while a build is still starting, or still being cancelled. */
class CloseWhileBusyTest {
  @TempDir Path state;

  @Test
  void aBuildStillStartingWhenTheBuilderClosesEndsInsteadOfWaitingForever() throws Exception {
    CountDownLatch starting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // Schedules its first poll, then waits (as a slow remote submission would) until released.
    StartHookBackend slow = new StartHookBackend(context -> {
      context.declareTargets(List.of(TargetStatus.queued("only", Map.of())));
      context.schedule(() -> {}, Duration.ofHours(1));
      starting.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    ImageBuilder builder = ImageBuilder.newBuilder()
        .discoverBackends(false)
        .stateDirectory(state)
        .backend(slow)
        .build();
    CompletableFuture<BuildHandle> submitted =
        CompletableFuture.supplyAsync(() -> builder.submit(StartHookBackend.request()));
    assertThat(starting.await(10, TimeUnit.SECONDS)).isTrue();

    builder.close();
    release.countDown();
    BuildHandle h = submitted.get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> h.await(Duration.ofSeconds(5)))
        .isNotInstanceOf(BuildTimeoutException.class)
        .isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("was closed");
    assertThat(h.status()).isEqualTo(BuildStatus.ERROR);
  }

  @Test
  void closeRightAfterCancelLetsTheRemoteCancelGoOut() throws Exception {
    AtomicBoolean remoteCancelSent = new AtomicBoolean();
    CountDownLatch cancelGoingOut = new CountDownLatch(1);
    CountDownLatch remoteAnswers = new CountDownLatch(1);
    // A remote cancel is an HTTP call that takes until the remote side answers (here: until the
    // test says so); an interrupted one is not sent.
    StartHookBackend backend = new StartHookBackend(
        context -> context.declareTargets(List.of(TargetStatus.queued("only", Map.of()))),
        () -> {
          cancelGoingOut.countDown();
          try {
            if (remoteAnswers.await(10, TimeUnit.SECONDS)) {
              remoteCancelSent.set(true);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    ImageBuilder builder = ImageBuilder.newBuilder()
        .discoverBackends(false)
        .stateDirectory(state)
        .backend(backend)
        .build();
    BuildHandle h = builder.submit(StartHookBackend.request());

    CompletableFuture<Void> cancelled = h.cancel();
    CompletableFuture<Void> closed = CompletableFuture.runAsync(builder::close);
    assertThat(cancelGoingOut.await(10, TimeUnit.SECONDS)).as("the remote cancel started").isTrue();
    assertThat(closed).as("close waits for the cancel in flight").isNotDone();
    remoteAnswers.countDown();
    closed.get(10, TimeUnit.SECONDS);

    assertThat(remoteCancelSent).isTrue();
    assertThat(cancelled).succeedsWithin(Duration.ofSeconds(1));
    assertThat(h.status()).isEqualTo(BuildStatus.CANCELLED);
  }
}
