package dev.imagebuilder.launchpad.testing;

import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.spi.ProcessRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** A {@link BackendContext} over a map of {@code launchpad.*} keys (without the prefix). */
public record TestBackendContext(Map<String, String> values, HttpService http) implements BackendContext {
  @Override
  public Configuration configuration() {
    return new Configuration() {
      @Override
      public String scope() {
        return "launchpad";
      }

      @Override
      public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
      }
    };
  }

  @Override
  public Downloader downloader() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ProcessRunner processes() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
  }

  @Override
  public Path stateDirectory() {
    throw new UnsupportedOperationException();
  }
}
