package dev.imagebuilder.core.internal;

import dev.imagebuilder.core.internal.download.StreamingDownloader;
import dev.imagebuilder.core.internal.http.MethanolHttpService;
import dev.imagebuilder.core.internal.process.LocalProcessRunner;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.spi.ProcessRunner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The HTTP, download and process services handed to every backend. The scheduler and worker pool
 * belong to the caller; what this creates (the HTTP client's threads, processes and transfers in
 * progress) is released by {@link #close}.
 */
public record Plumbing(HttpService http, Downloader downloader, ProcessRunner processes)
    implements AutoCloseable {

  /**
   * @param httpConfiguration the configuration scope {@code http} (see docs/plumbing.md)
   * @param scheduler backoff waits, deadlines, timeouts; short tasks only
   * @param workers blocking work: output readers (one per running process), file copies, fsync
   */
  public static Plumbing create(Configuration httpConfiguration,
      ScheduledExecutorService scheduler, ExecutorService workers) {
    MethanolHttpService http = MethanolHttpService.create(httpConfiguration, scheduler);
    return new Plumbing(http, new StreamingDownloader(http, workers),
        new LocalProcessRunner(scheduler, workers));
  }

  /** Cancels downloads, ends running process trees, then stops the HTTP client. */
  @Override
  public void close() {
    closeIfOwned(downloader);
    closeIfOwned(processes);
    closeIfOwned(http);
  }

  private static void closeIfOwned(Object service) {
    if (service instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(Plumbing.class).warn("closing {} failed", service, e);
      }
    }
  }
}
