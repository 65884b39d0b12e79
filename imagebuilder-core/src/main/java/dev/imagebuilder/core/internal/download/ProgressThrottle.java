package dev.imagebuilder.core.internal.download;

import dev.imagebuilder.spi.Downloader.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes progress on at most once every {@link #INTERVAL_NANOS}, and always the final count: a
 * fast transfer does not flood listeners (a byte-count step would, on a fast link). A listener
 * that throws is logged once and never breaks the transfer.
 */
final class ProgressThrottle {
  static final long INTERVAL_NANOS = 100_000_000L;
  private static final Logger log = LoggerFactory.getLogger(ProgressThrottle.class);

  private final ProgressListener listener;
  private final long total;
  private long lastNanos = System.nanoTime();
  private long lastBytes;
  private boolean complained;

  ProgressThrottle(ProgressListener listener, long total) {
    this.listener = listener == null ? ProgressListener.NONE : listener;
    this.total = total;
  }

  synchronized void advanced(long bytes) {
    long now = System.nanoTime();
    if (now - lastNanos >= INTERVAL_NANOS) {
      tell(bytes);
      lastNanos = now;
      lastBytes = bytes;
    }
  }

  synchronized void finished(long bytes) {
    if (bytes != lastBytes || bytes == 0) {
      tell(bytes);
      lastBytes = bytes;
    }
  }

  private void tell(long bytes) {
    try {
      listener.onProgress(bytes, total);
    } catch (RuntimeException e) {
      if (!complained) {
        complained = true;
        log.warn("a download progress listener failed; the download goes on", e);
      }
    }
  }
}
