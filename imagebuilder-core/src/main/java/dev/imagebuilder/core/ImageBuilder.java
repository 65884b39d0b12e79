package dev.imagebuilder.core;

import dev.imagebuilder.api.BuildBatch;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;
import dev.imagebuilder.core.internal.BackendRegistry;
import dev.imagebuilder.core.internal.DefaultBackendContext;
import dev.imagebuilder.core.internal.DefaultBuildHandle;
import dev.imagebuilder.core.internal.EngineThreads;
import dev.imagebuilder.core.internal.LayeredConfiguration;
import dev.imagebuilder.core.internal.Plumbing;
import dev.imagebuilder.core.internal.TicketCodec;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendProvider;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Turns image requests into builds on the backends that serve them, and follows each build to a
 * definite end. Thread-safe; make one and share it. Runs on a handful of daemon threads whatever
 * the number of builds; {@link #close()} stops local tracking (remote builds go on and can be
 * resumed from their tickets).
 *
 * <pre>{@code
 * try (ImageBuilder builder = ImageBuilder.create()) {
 *   BuildHandle h = builder.submit(ImageRequest.oci().images("redis").series("24.04").build());
 *   BuildResult r = h.await();
 * }
 * }</pre>
 */
public final class ImageBuilder implements AutoCloseable {
  private static final SecureRandom IDS = new SecureRandom();
  private static final Duration CLOSE_CANCEL_WAIT = Duration.ofSeconds(30);

  private final BackendRegistry registry;
  private final Function<String, LayeredConfiguration> configuration;
  private final EngineThreads threads;
  private final Plumbing plumbing;
  private final Clock clock;
  private final List<BuildListener> listeners;
  private final List<TicketJournal> journals;
  private final Duration deadline;
  private final Path stateRoot;
  private final Map<String, Backend> backends = new ConcurrentHashMap<>();
  private final Set<DefaultBuildHandle> live = ConcurrentHashMap.newKeySet();
  /** Remote cancels asked for and not sent yet: close() lets them go out first. */
  private final Set<CompletableFuture<Void>> cancelling = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ImageBuilder(Builder b) {
    Map<String, String> values = Map.copyOf(b.config);
    Function<String, String> env = b.environment;
    Function<String, String> props = System::getProperty;
    this.configuration = scope -> new LayeredConfiguration(scope, values, props, env);
    LayeredConfiguration core = configuration.apply("core");
    this.clock = b.clock;
    this.listeners = List.copyOf(b.listeners);
    this.journals = List.copyOf(b.journals);
    this.deadline = b.deadline != null ? b.deadline : core.duration("deadline", null);
    this.stateRoot = b.stateDirectory != null
        ? b.stateDirectory
        : core.path("state-directory").orElseGet(() -> defaultStateRoot(env));
    this.threads = new EngineThreads(
        2, b.workerThreads > 0 ? b.workerThreads : core.integer("worker-threads", 8), 2);
    this.plumbing = Plumbing.create(configuration.apply("http"), threads.scheduler(), threads.workers());
    this.registry = new BackendRegistry(b.providers, b.discover, configuration.apply("backend"), configuration);
  }

  private static Path defaultStateRoot(Function<String, String> env) {
    String xdg = env.apply("XDG_STATE_HOME");
    Path base = xdg != null && !xdg.isBlank()
        ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("imagebuilder");
  }

  /** An ImageBuilder with discovered backends and configuration from system properties and the environment. */
  public static ImageBuilder create() {
    return newBuilder().build();
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Submits a request to the backend that serves its type. Returns at once; the remote work is
   * started and tracked in the background.
   *
   * @throws InvalidRequestException when the backend rejects the request (nothing was started)
   * @throws NoBackendAvailableException listing every provider and why it was not chosen
   */
  public BuildHandle submit(ImageRequest request) {
    return submit(request, null);
  }

  /**
   * Submits a request like {@link #submit(ImageRequest)}, recording its ticket in {@code journal}
   * too (besides the builder's journals) before every call that creates remote work, and once its
   * answer is known. Retries of the build keep recording there.
   */
  public BuildHandle submit(ImageRequest request, TicketJournal journal) {
    Objects.requireNonNull(request, "request");
    Chosen chosen = choose(request);
    chosen.backend().validate(request);
    return start(chosen, request, journal);
  }

  /**
   * Submits several requests, each to its backend. Every request is validated, and every backend
   * chosen, before any is started: when one is invalid, none is submitted.
   */
  public BuildBatch submitAll(List<? extends ImageRequest> requests) {
    return submitAll(requests, null);
  }

  /** {@link #submitAll(List)}, recording every build's ticket in {@code journal} too. */
  public BuildBatch submitAll(List<? extends ImageRequest> requests, TicketJournal journal) {
    List<Chosen> chosen = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      ImageRequest request = Objects.requireNonNull(requests.get(i), "requests[" + i + "]");
      try {
        Chosen c = choose(request);
        c.backend().validate(request);
        chosen.add(c);
      } catch (InvalidRequestException e) {
        throw e.under("[" + i + "]");
      } catch (NoBackendAvailableException e) {
        throw new NoBackendAvailableException("[" + i + "]: " + e.getMessage());
      }
    }
    List<BuildHandle> handles = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      handles.add(start(chosen.get(i), requests.get(i), journal));
    }
    return new BuildBatch(handles);
  }

  /** Resolves what a request would build, with no side effects. */
  public Plan plan(ImageRequest request) {
    Objects.requireNonNull(request, "request");
    return choose(request).backend().plan(request);
  }

  /**
   * Re-attaches to a build from its ticket, in this or another process, submitting nothing new.
   *
   * @throws InvalidRequestException when the ticket cannot be read
   * @throws NoBackendAvailableException when its backend is not installed here
   */
  public BuildHandle resume(Ticket ticket) {
    return resume(ticket, null);
  }

  /**
   * {@link #resume(Ticket)}, recording the ticket in {@code journal} too from now on.
   *
   * @throws InvalidRequestException also when the ticket holds no targets: its build was recorded
   *     before it planned anything, so nothing was asked of the remote system under it
   */
  public BuildHandle resume(Ticket ticket, TicketJournal journal) {
    TicketCodec.Contents t = TicketCodec.decode(ticket);
    BackendProvider provider = registry.byName(t.backend()).orElseThrow(() ->
        new NoBackendAvailableException("the ticket's backend '" + t.backend()
            + "' is not installed here"));
    if (t.targets().isEmpty()) {
      throw new InvalidRequestException("ticket.targets", "build " + t.buildId() + " (" + t.backend()
          + ") holds no targets: it was recorded before it planned any, so nothing was requested under it;"
          + " submit its request again");
    }
    Backend backend = backend(provider);
    DefaultBuildHandle handle = newHandle(t.buildId(), provider.name(), t.request(), t.attempt(), with(journal));
    return track(handle.begin(() -> backend.resume(t.request(), t.state(), handle.context())));
  }

  /**
   * True when {@code handle}'s work runs in this process (a cloud image customized here, a touch
   * channel built here): it stops when this builder closes, rather than going on remotely.
   */
  public boolean runsInProcess(BuildHandle handle) {
    Backend b = backends.get(handle.backend());
    return b != null && b.runsInProcess();
  }

  /** The names of every backend provider known to this builder. */
  public List<String> backendNames() {
    return registry.all().stream().map(BackendProvider::name).toList();
  }

  /**
   * Stops tracking: remote cancels already asked for are given up to 30 seconds to go out, then
   * handles still running complete exceptionally (remote builds go on and can be resumed from
   * their tickets; work running in this process stops, its work files are removed, and it has to
   * be built again), backends are closed, threads stop.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    awaitCancellations();
    for (DefaultBuildHandle h : live) {
      if (runsInProcess(h)) {
        h.stopWithProcess();
      } else {
        h.detach();
      }
    }
    backends.values().forEach(b -> {
      try {
        b.close();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(ImageBuilder.class).warn("closing a backend failed: {}", e.toString());
      }
    });
    plumbing.close();
    threads.close();
  }

  /**
   * A cancel runs on the worker pool, through the backends and HTTP this is about to close: it
   * would be cut off, and the remote builds it meant to stop would go on. Waits for them, within
   * a bound: a remote system that does not answer must not hold close() for ever.
   */
  private void awaitCancellations() {
    CompletableFuture<?>[] pending = cancelling.toArray(CompletableFuture<?>[]::new);
    if (pending.length == 0) {
      return;
    }
    try {
      CompletableFuture.allOf(pending).get(CLOSE_CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Failed cancels were logged by their handles; slow ones are given up on.
      org.slf4j.LoggerFactory.getLogger(ImageBuilder.class).warn(
          "closing with remote cancels unfinished or failed: {}", e.toString());
    }
  }

  private record Chosen(BackendProvider provider, Backend backend) {}

  private Chosen choose(ImageRequest request) {
    ensureOpen();
    BackendProvider provider = registry.choose(request);
    return new Chosen(provider, backend(provider));
  }

  private Backend backend(BackendProvider provider) {
    ensureOpen();
    return backends.computeIfAbsent(provider.name(), name -> provider.create(
        new DefaultBackendContext(configuration.apply(name), plumbing.http(), plumbing.downloader(),
            plumbing.processes(), clock, stateRoot)));
  }

  private List<TicketJournal> with(TicketJournal journal) {
    if (journal == null) {
      return journals;
    }
    List<TicketJournal> all = new ArrayList<>(journals);
    all.add(journal);
    return all;
  }

  private BuildHandle start(Chosen chosen, ImageRequest request, TicketJournal journal) {
    DefaultBuildHandle handle = newHandle(newId(), chosen.provider().name(), request, 1, with(journal));
    return track(handle.begin(() -> chosen.backend().start(request, handle.context())));
  }

  private BuildHandle retry(DefaultBuildHandle failed, Set<String> targetKeys) {
    ensureOpen();
    BackendProvider provider = registry.byName(failed.backend()).orElseThrow();
    Backend backend = backend(provider);
    DefaultBuildHandle handle = newHandle(newId(), provider.name(), failed.request(), failed.attempt() + 1,
        failed.journals());
    Map<String, Object> state = failed.jobState();
    return track(handle.begin(() -> backend.retry(failed.request(), state, targetKeys, handle.context())));
  }

  private DefaultBuildHandle newHandle(
      String id, String backendName, ImageRequest request, int attempt, List<TicketJournal> buildJournals) {
    return new DefaultBuildHandle(id, backendName, request, attempt, threads, clock, listeners, buildJournals,
        this::retry);
  }

  private BuildHandle track(DefaultBuildHandle handle) {
    live.add(handle);
    handle.result().whenComplete((r, e) -> {
      live.remove(handle);
      CompletableFuture<Void> cancel = handle.cancellation();
      if (cancel != null && !cancel.isDone()) {
        cancelling.add(cancel);
        cancel.whenComplete((ignored, failure) -> cancelling.remove(cancel));
      }
    });
    if (closed) {
      // close() ran while the backend was starting this build and did not see it among the live
      // ones: the polls it scheduled were dropped with the threads, so it would never end.
      handle.detach();
      return handle;
    }
    if (deadline != null && !handle.status().isDone()) {
      var timer = threads.scheduler().schedule(
          () -> handle.cancel("deadline of " + deadline + " passed"), deadline.toMillis(), TimeUnit.MILLISECONDS);
      handle.result().whenComplete((r, e) -> timer.cancel(false));
    }
    return handle;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this ImageBuilder is closed");
    }
  }

  private static String newId() {
    byte[] bytes = new byte[8];
    IDS.nextBytes(bytes);
    StringBuilder sb = new StringBuilder("b-");
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  /** Configures an {@link ImageBuilder}. Setters may be called in any order. */
  public static final class Builder {
    private final List<BackendProvider> providers = new ArrayList<>();
    private final Map<String, String> config = new LinkedHashMap<>();
    private final List<BuildListener> listeners = new ArrayList<>();
    private final List<TicketJournal> journals = new ArrayList<>();
    private Function<String, String> environment = System::getenv;
    private Clock clock = Clock.systemUTC();
    private Duration deadline;
    private Path stateDirectory;
    private int workerThreads;
    private boolean discover = true;

    private Builder() {}

    /** Registers a backend provider; registered providers win over discovered ones. */
    public Builder backend(BackendProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Whether to discover providers with {@link java.util.ServiceLoader} (default true). */
    public Builder discoverBackends(boolean discover) {
      this.discover = discover;
      return this;
    }

    /**
     * A configuration value, winning over system properties and the environment. Keys are
     * {@code <backend>.<key>} (such as {@code launchpad.service-root}; a leading
     * {@code imagebuilder.} is accepted), {@code backend.<image_type>} to choose a backend by
     * name, {@code http.<key>} for the HTTP layer, {@code core.<key>} for the engine.
     */
    public Builder config(String key, String value) {
      Objects.requireNonNull(key, "key");
      String k = key.startsWith("imagebuilder.") ? key.substring("imagebuilder.".length()) : key;
      if (!k.contains(".")) {
        throw new InvalidRequestException("config", "'" + key + "' is not a <scope>.<key> name");
      }
      if (value == null) {
        config.remove(k);
      } else {
        config.put(k, value);
      }
      return this;
    }

    /** Several configuration values at once. */
    public Builder config(Map<String, String> values) {
      values.forEach(this::config);
      return this;
    }

    /** Where environment variables are read from (default {@code System::getenv}); for tests. */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * A journal every build's ticket is recorded in, durably, before each call that creates
     * remote work and once its answer is known: what a process killed at any instant needs to
     * resume without losing a build or requesting one twice ({@link DirectoryTicketJournal} keeps
     * them in a directory). May be given several times.
     */
    public Builder journal(TicketJournal journal) {
      journals.add(Objects.requireNonNull(journal, "journal"));
      return this;
    }

    /** A listener added to every build this builder submits, retries or resumes. */
    public Builder listener(BuildListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds still running this long after they were submitted (or resumed) are cancelled,
     * remotely too. Unlike {@code await(Duration)}, which only stops waiting.
     */
    public Builder deadline(Duration deadline) {
      if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
        throw new InvalidRequestException("deadline", "'" + deadline + "' must be positive");
      }
      this.deadline = deadline;
      return this;
    }

    /** Where backends keep state and caches (default {@code $XDG_STATE_HOME/imagebuilder}). */
    public Builder stateDirectory(Path directory) {
      this.stateDirectory = directory;
      return this;
    }

    /** Threads for blocking work (downloads, external tools); default 8. */
    public Builder workerThreads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new InvalidRequestException("workerThreads", "'" + threads + "' is out of range (1 to 256)");
      }
      this.workerThreads = threads;
      return this;
    }

    public ImageBuilder build() {
      return new ImageBuilder(this);
    }
  }
}
