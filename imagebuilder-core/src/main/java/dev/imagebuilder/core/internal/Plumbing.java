package dev.imagebuilder.core.internal;

import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.spi.ProcessRunner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/** PLACEHOLDER until the plumbing branch lands. */
public record Plumbing(HttpService http, Downloader downloader, ProcessRunner processes) implements AutoCloseable {
  public static Plumbing create(Configuration httpConfiguration, ScheduledExecutorService scheduler, ExecutorService workers) {
    return new Plumbing(null, null, null);
  }

  @Override
  public void close() {}
}
