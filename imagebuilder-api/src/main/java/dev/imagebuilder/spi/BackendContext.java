package dev.imagebuilder.spi;

import java.nio.file.Path;
import java.time.Clock;

/** What the core gives a backend when it is created. */
public interface BackendContext {
  /** This backend's configuration: keys without the {@code imagebuilder.<backend>.} prefix. */
  Configuration configuration();

  /** HTTP with the library's timeouts, retry policy, concurrency limit and User-Agent. */
  HttpService http();

  /** Verified streaming downloads. */
  Downloader downloader();

  /** External processes. */
  ProcessRunner processes();

  Clock clock();

  /** A directory this backend may keep state and caches in, created on first use. */
  Path stateDirectory();
}
