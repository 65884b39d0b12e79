package dev.imagebuilder.testkit;

import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.spi.ProcessRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link BackendContext} for a backend's unit tests: configuration from a map (see
 * {@link Configuration#of}) and only the plumbing the test hands in. A part that was not given
 * fails with a message naming the method that gives it, so a test learns what the backend uses.
 *
 * <pre>{@code
 * BackendContext context = TestBackendContext.of("launchpad", Map.of("service-root", root))
 *     .withHttp(http)
 *     .withClock(clock);
 * Backend backend = new LaunchpadBackendProvider().create(context);
 * }</pre>
 *
 * <p>Immutable: each {@code with...} returns a new context.
 */
public final class TestBackendContext implements BackendContext {
  private final Configuration configuration;
  private final HttpService http;
  private final Downloader downloader;
  private final ProcessRunner processes;
  private final Clock clock;
  private final Path stateDirectory;

  private TestBackendContext(Configuration configuration, HttpService http, Downloader downloader,
      ProcessRunner processes, Clock clock, Path stateDirectory) {
    this.configuration = configuration;
    this.http = http;
    this.downloader = downloader;
    this.processes = processes;
    this.clock = clock;
    this.stateDirectory = stateDirectory;
  }

  /** A context for the backend {@code scope} with these configuration keys and the system clock. */
  public static TestBackendContext of(String scope, Map<String, String> configuration) {
    return new TestBackendContext(Configuration.of(scope, configuration), null, null, null,
        Clock.systemUTC(), null);
  }

  public TestBackendContext withHttp(HttpService http) {
    return new TestBackendContext(configuration, Objects.requireNonNull(http, "http"), downloader,
        processes, clock, stateDirectory);
  }

  public TestBackendContext withDownloader(Downloader downloader) {
    return new TestBackendContext(configuration, http, Objects.requireNonNull(downloader, "downloader"),
        processes, clock, stateDirectory);
  }

  public TestBackendContext withProcesses(ProcessRunner processes) {
    return new TestBackendContext(configuration, http, downloader,
        Objects.requireNonNull(processes, "processes"), clock, stateDirectory);
  }

  public TestBackendContext withClock(Clock clock) {
    return new TestBackendContext(configuration, http, downloader, processes,
        Objects.requireNonNull(clock, "clock"), stateDirectory);
  }

  public TestBackendContext withStateDirectory(Path stateDirectory) {
    return new TestBackendContext(configuration, http, downloader, processes, clock,
        Objects.requireNonNull(stateDirectory, "stateDirectory"));
  }

  @Override
  public Configuration configuration() {
    return configuration;
  }

  @Override
  public HttpService http() {
    return given(http, "an HTTP service", "withHttp");
  }

  @Override
  public Downloader downloader() {
    return given(downloader, "a downloader", "withDownloader");
  }

  @Override
  public ProcessRunner processes() {
    return given(processes, "a process runner", "withProcesses");
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Path stateDirectory() {
    return given(stateDirectory, "a state directory", "withStateDirectory");
  }

  @Override
  public String toString() {
    return "TestBackendContext[" + configuration + "]";
  }

  private <T> T given(T part, String what, String method) {
    if (part == null) {
      throw new IllegalStateException("the backend asked for " + what + ", which this "
          + "TestBackendContext was not given (" + method + ")");
    }
    return part;
  }
}
