package dev.imagebuilder.core.internal.download;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a response body into a {@link TempFile} off the HTTP client's thread. The client's
 * thread only queues the buffers it receives and asks for more; a worker hashes and writes them.
 * Hashing and writing on the client's thread, before asking for the next buffer, left the
 * socket idle for as long as each write took, so the network and the disk took turns.
 *
 * <p>The queue is bounded by bytes, not by buffers: once {@code queueLimit} bytes wait to be
 * written, no more are asked for until the worker catches up, so memory stays flat whatever the
 * size of the body and however slow the disk (at most {@code queueLimit} plus the one buffer list
 * in flight). The worker is a task on the shared worker pool that runs while there is something
 * to write and ends when the queue is empty, so an idle or stalled transfer holds no thread.
 *
 * <p>A failure on either side (the network's {@code onError}, a write error, a body larger than
 * the request declared, a cancel that discarded the file) stops both: the subscription is
 * cancelled, the queue is dropped, the file removed, and the body completes exceptionally.
 */
final class TempFileSubscriber implements BodySubscriber<TempFile> {
  /** Bytes that may wait for the worker: a few of the client's reads at the largest buffers. */
  static final long DEFAULT_QUEUE_LIMIT = 8L << 20;
  /** At most this many bytes go into one gathering write. */
  private static final long BATCH_BYTES = 1L << 20;

  private final TempFile file;
  private final Executor worker;
  private final long queueLimit;
  private final long announcedSize;
  private final CompletableFuture<TempFile> body = new CompletableFuture<>();
  private final ConcurrentLinkedQueue<List<ByteBuffer>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  /** True while demand is withheld because the queue is full; whoever clears it asks for more. */
  private final AtomicBoolean starved = new AtomicBoolean();
  /** Drain requests not yet seen by the worker; the one that raises it from 0 starts a worker. */
  private final AtomicInteger pendingDrains = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean upstreamComplete;
  /** Bytes received so far; touched only by the client's signals, which are serial. */
  private long received;

  /**
   * @param worker runs the writes (the shared worker pool)
   * @param queueLimit how many bytes may wait to be written before no more are asked for
   * @param announcedSize the response's Content-Length, or -1
   */
  TempFileSubscriber(TempFile file, Executor worker, long queueLimit, long announcedSize) {
    if (queueLimit <= 0) {
      throw new IllegalArgumentException("queueLimit " + queueLimit + " is not positive");
    }
    this.file = file;
    this.worker = worker;
    this.queueLimit = queueLimit;
    this.announcedSize = announcedSize;
  }

  @Override
  public CompletionStage<TempFile> getBody() {
    return body;
  }

  /** Bytes received but not yet written; for tests of the bound. */
  long queuedBytes() {
    return queuedBytes.get();
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    long expected = file.expectedSize();
    if (expected >= 0 && announcedSize > expected) {
      // The server says so up front: no need to read the body to know it is the wrong file.
      fail(file.sizeMismatch(expected, announcedSize + " (Content-Length)"));
      return;
    }
    if (failure.get() != null) {
      s.cancel();
      return;
    }
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (failure.get() != null) {
      return;
    }
    long n = 0;
    for (ByteBuffer b : buffers) {
      n += b.remaining();
    }
    received += n;
    long expected = file.expectedSize();
    if (expected >= 0 && received > expected) {
      // Stop reading at once rather than queue what can never be written.
      fail(file.sizeMismatch(expected, "at least " + received));
      return;
    }
    queuedBytes.addAndGet(n);
    queue.add(buffers);
    drain();
    if (queuedBytes.get() < queueLimit) {
      subscription.request(1);
      return;
    }
    starved.set(true);
    // The worker may have emptied the queue between the check and the flag: look again.
    if (queuedBytes.get() < queueLimit && starved.compareAndSet(true, false)) {
      subscription.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    fail(t);
  }

  @Override
  public void onComplete() {
    upstreamComplete = true;
    drain();
  }

  /** Stops the transfer for good; the first failure is the one reported. */
  private void fail(Throwable t) {
    if (!failure.compareAndSet(null, t)) {
      return;
    }
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    queue.clear();
    file.discard();
    body.completeExceptionally(t);
  }

  private void drain() {
    if (pendingDrains.getAndIncrement() != 0) {
      return; // the running worker will see it
    }
    try {
      worker.execute(this::writeQueued);
    } catch (RejectedExecutionException e) {
      fail(new CancellationException("the worker pool is shut down"));
    }
  }

  /** The worker: writes what is queued, asks for more as room frees up, completes the body. */
  private void writeQueued() {
    int seen = pendingDrains.get();
    while (true) {
      writeBatches();
      if (failure.get() == null && upstreamComplete && queue.isEmpty()) {
        body.complete(file);
      }
      seen = pendingDrains.addAndGet(-seen);
      if (seen == 0) {
        return;
      }
    }
  }

  private void writeBatches() {
    List<ByteBuffer> batch = new ArrayList<>();
    while (failure.get() == null) {
      batch.clear();
      long n = 0;
      List<ByteBuffer> next;
      while (n < BATCH_BYTES && (next = queue.poll()) != null) {
        for (ByteBuffer b : next) {
          n += b.remaining();
          batch.add(b);
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      try {
        file.write(batch.toArray(ByteBuffer[]::new));
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      long left = queuedBytes.addAndGet(-n);
      if (left < queueLimit && starved.compareAndSet(true, false)) {
        subscription.request(1);
      }
    }
    queue.clear();
  }
}
