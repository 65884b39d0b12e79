package dev.imagebuilder.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.spi.ProcessRunner.Result;
import dev.imagebuilder.spi.ProcessRunner.Spec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PlumbingTest {
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  private final ExecutorService workers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

  @Test
  void closeEndsWhatItStartedAndLeavesTheCallersPoolsRunning() throws Exception {
    Plumbing plumbing = Plumbing.create(MapConfiguration.http(), scheduler, workers);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    CompletableFuture<Result> running =
        plumbing.processes().run(Spec.of("sh", "-c", "echo $$; exec sleep 30"), lines::add);
    long pid = Long.parseLong(lines.poll(5, TimeUnit.SECONDS));

    plumbing.close();

    assertThat(running).isCancelled();
    ProcessHandle.of(pid).ifPresent(p -> assertThat(p.onExit()).as("process %d ends", pid)
        .succeedsWithin(Duration.ofSeconds(5)));
    assertThat(plumbing.http().sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/"))
        .build())).isCompletedExceptionally();
    assertThat(scheduler.isShutdown()).isFalse();
    assertThat(workers.isShutdown()).isFalse();
  }

  @Test
  void badHttpConfigurationFailsAtCreationNamingTheKey() {
    assertThatThrownBy(() -> Plumbing.create(MapConfiguration.http("max-retries", "-1"),
        scheduler, workers))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.http.max-retries");
  }
}
