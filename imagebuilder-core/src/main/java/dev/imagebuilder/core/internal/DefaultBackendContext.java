package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.spi.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** What a backend is created with. */
public record DefaultBackendContext(
    Configuration configuration,
    HttpService http,
    Downloader downloader,
    ProcessRunner processes,
    Clock clock,
    Path stateRoot)
    implements BackendContext {

  @Override
  public Path stateDirectory() {
    Path dir = stateRoot.resolve(configuration.scope());
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ImageBuildException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
    }
  }
}
