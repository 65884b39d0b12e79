package dev.imagebuilder.core.internal.download;

import static dev.imagebuilder.core.internal.download.StreamingDownloaderTest.filesIn;
import static dev.imagebuilder.core.internal.download.StreamingDownloaderTest.randomBytes;
import static dev.imagebuilder.core.internal.download.StreamingDownloaderTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.core.internal.download.StreamingDownloaderTest.HeldWorker;
import dev.imagebuilder.spi.Downloader.Download;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-off from the HTTP client's thread to the worker, driven by hand: a publisher that
 * sends only what is asked for, and a worker that runs only when the test says so.
 */
class TempFileSubscriberTest {
  private static final long LIMIT = 1 << 20;
  private static final int CHUNK = 64 * 1024;
  private static final URI SOURCE = URI.create("http://127.0.0.1/image.img");

  @TempDir Path dir;
  private final HeldWorker worker = new HeldWorker();
  private final Demand demand = new Demand();

  @Test
  void holdsAtMostTheLimitPlusOneBufferAndAsksForMoreOnlyAsTheWorkerWrites() throws Exception {
    byte[] data = randomBytes(8 << 20);
    TempFile file = tempFile(data.length);
    TempFileSubscriber s = new TempFileSubscriber(file, worker, LIMIT, data.length);
    s.onSubscribe(demand);

    int sent = 0;
    long peak = 0;
    int stalls = 0;
    while (sent < data.length) {
      while (demand.requested > 0 && sent < data.length) {
        demand.requested--;
        s.onNext(List.of(ByteBuffer.wrap(data, sent, CHUNK)));
        sent += CHUNK;
        peak = Math.max(peak, s.queuedBytes());
      }
      if (sent < data.length) {
        // No demand: the queue is full, and only the worker can make room.
        assertThat(s.queuedBytes()).isGreaterThanOrEqualTo(LIMIT);
        stalls++;
      }
      worker.runAll();
    }
    s.onComplete();
    worker.runAll();

    assertThat(peak).isLessThan(LIMIT + CHUNK);
    assertThat(stalls).isGreaterThanOrEqualTo((int) (data.length / (LIMIT + CHUNK)));
    TempFile written = s.getBody().toCompletableFuture().get(1, TimeUnit.SECONDS);
    Download d = written.commit(sha256(data));
    assertThat(Files.readAllBytes(d.path())).isEqualTo(data);
    assertThat(demand.cancelled).isFalse();
  }

  @Test
  void theBodyCompletesOnlyOnceEverythingQueuedIsWritten() throws Exception {
    byte[] data = randomBytes(3 * CHUNK);
    TempFile file = tempFile(-1);
    TempFileSubscriber s = new TempFileSubscriber(file, worker, LIMIT, -1);
    s.onSubscribe(demand);
    for (int i = 0; i < 3; i++) {
      s.onNext(List.of(ByteBuffer.wrap(data, i * CHUNK, CHUNK)));
    }
    s.onComplete();

    CompletableFuture<TempFile> body = s.getBody().toCompletableFuture();
    assertThat(body).isNotDone();
    worker.runAll();
    assertThat(body).isCompleted();
    assertThat(body.get().commit(sha256(data)).size()).isEqualTo(data.length);
  }

  @Test
  void aFileDiscardedMeanwhileCancelsTheSubscriptionAndFailsTheBody() throws Exception {
    TempFile file = tempFile(-1);
    TempFileSubscriber s = new TempFileSubscriber(file, worker, LIMIT, -1);
    s.onSubscribe(demand);
    s.onNext(List.of(ByteBuffer.wrap(randomBytes(CHUNK))));
    file.discard(); // what a cancel does

    worker.runAll();

    assertThat(demand.cancelled).isTrue();
    assertThat(s.getBody().toCompletableFuture()).isCompletedExceptionally();
    assertThat(s.getBody().toCompletableFuture().handle((ok, e) -> e).get())
        .isInstanceOf(CancellationException.class);
    assertThat(filesIn(dir)).isEmpty();
    assertThat(s.queuedBytes()).isLessThanOrEqualTo(CHUNK);
  }

  @Test
  void aNetworkErrorDropsTheQueueAndTheFile() throws Exception {
    TempFile file = tempFile(-1);
    TempFileSubscriber s = new TempFileSubscriber(file, worker, LIMIT, -1);
    s.onSubscribe(demand);
    s.onNext(List.of(ByteBuffer.wrap(randomBytes(CHUNK))));

    s.onError(new java.io.IOException("connection reset"));
    worker.runAll();

    assertThat(s.getBody().toCompletableFuture().handle((ok, e) -> e).get())
        .hasMessage("connection reset");
    assertThat(filesIn(dir)).isEmpty();
  }

  private TempFile tempFile(long expectedSize) {
    return TempFile.create(SOURCE, dir.resolve("image.img"), expectedSize,
        new ProgressThrottle(null, expectedSize), TempFile.Opener.DEFAULT, Runnable::run,
        TempFile.FORCE_EVERY);
  }

  /** The client's side of the subscription: counts what was asked for. */
  private static final class Demand implements Flow.Subscription {
    long requested;
    boolean cancelled;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
