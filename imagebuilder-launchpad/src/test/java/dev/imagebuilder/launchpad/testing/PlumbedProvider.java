package dev.imagebuilder.launchpad.testing;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.launchpad.LaunchpadBackendProvider;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.spi.ProcessRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The real {@link LaunchpadBackendProvider}, given the JDK-based test {@link HttpService} only
 * when the core hands it none (while the core's HTTP plumbing has not landed on this branch).
 */
public final class PlumbedProvider implements BackendProvider {
  private final LaunchpadBackendProvider real = new LaunchpadBackendProvider();

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return real.supports(requestType);
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    return real.unavailableReason(configuration);
  }

  @Override
  public Backend create(BackendContext context) {
    if (context.http() != null) {
      return real.create(context);
    }
    HttpService http = new JdkHttpService();
    return real.create(new BackendContext() {
      @Override
      public Configuration configuration() {
        return context.configuration();
      }

      @Override
      public HttpService http() {
        return http;
      }

      @Override
      public Downloader downloader() {
        return context.downloader();
      }

      @Override
      public ProcessRunner processes() {
        return context.processes();
      }

      @Override
      public Clock clock() {
        return context.clock();
      }

      @Override
      public Path stateDirectory() {
        return context.stateDirectory();
      }
    });
  }
}
