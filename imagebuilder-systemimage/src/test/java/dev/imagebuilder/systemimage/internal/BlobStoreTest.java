package dev.imagebuilder.systemimage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.testkit.Await;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds that need one blob share one download; cancelling one build must not fail the other. */
class BlobStoreTest {
  private static final String SHA = "a".repeat(64);
  @TempDir Path dir;

  @Test
  void cancellingOneWaiterLeavesTheSharedDownloadToTheOther() throws Exception {
    List<CompletableFuture<Downloader.Download>> started = new CopyOnWriteArrayList<>();
    CountDownLatch firstStarted = new CountDownLatch(1);
    Downloader downloader = (request, progress) -> {
      CompletableFuture<Downloader.Download> f = new CompletableFuture<>();
      started.add(f);
      firstStarted.countDown();
      return f;
    };
    BlobStore store = new BlobStore(dir, downloader);
    URI source = URI.create("https://si.test.invalid/pool/device-" + SHA + ".tar.xz");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Object> cancelled = pool.submit(() -> {
        try {
          return store.fetch(source, SHA, 4, Downloader.ProgressListener.NONE);
        } catch (BuildCancelledException e) {
          return e;
        }
      });
      assertThat(firstStarted.await(5, TimeUnit.SECONDS)).as("the download started").isTrue();
      AtomicReference<Thread> second = new AtomicReference<>();
      Future<Path> kept = pool.submit(() -> {
        second.set(Thread.currentThread());
        return store.fetch(source, SHA, 4, Downloader.ProgressListener.NONE);
      });
      // The second build waits on the same download: a parked thread is all there is to see of it.
      Await.until("the second fetch waiting", Duration.ofSeconds(5), () -> isWaiting(second.get()));
      assertThat(started).hasSize(1);

      cancelled.cancel(true); // interrupts the first build only
      assertThat(pool.submit(() -> null).get(5, TimeUnit.SECONDS)).isNull();
      assertThat(started.get(0)).isNotCancelled();

      Files.writeString(dir.resolve(SHA), "blob");
      started.get(0).complete(new Downloader.Download(source, dir.resolve(SHA), 4, SHA));
      assertThat(kept.get(5, TimeUnit.SECONDS)).isEqualTo(dir.resolve(SHA));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void cancellingTheOnlyWaiterStopsTheDownload() throws Exception {
    CompletableFuture<Downloader.Download> download = new CompletableFuture<>();
    BlobStore store = new BlobStore(dir, (request, progress) -> download);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      AtomicReference<Thread> waiter = new AtomicReference<>();
      Future<Path> f = pool.submit(() -> {
        waiter.set(Thread.currentThread());
        return store.fetch(URI.create("https://si.test.invalid/x"), SHA, 4,
            Downloader.ProgressListener.NONE);
      });
      // The build waits on its download: a parked thread is all there is to see of it.
      Await.until("the fetch waiting on its download", Duration.ofSeconds(5), () -> isWaiting(waiter.get()));
      f.cancel(true);
      assertThatThrownBy(() -> download.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Parked (on the download's future), not running and not blocked on a monitor. */
  private static boolean isWaiting(Thread thread) {
    return thread != null && (thread.getState() == Thread.State.WAITING
        || thread.getState() == Thread.State.TIMED_WAITING);
  }
}
