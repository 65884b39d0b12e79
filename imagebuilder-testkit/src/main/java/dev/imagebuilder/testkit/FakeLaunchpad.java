package dev.imagebuilder.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.imagebuilder.testkit.internal.launchpad.Call;
import dev.imagebuilder.testkit.internal.launchpad.FarmClock;
import dev.imagebuilder.testkit.internal.launchpad.FaultInjector;
import dev.imagebuilder.testkit.internal.launchpad.LaunchpadDispatcher;
import dev.imagebuilder.testkit.internal.launchpad.NoDelayServerSocketFactory;
import dev.imagebuilder.testkit.internal.launchpad.RegistryUpload;
import dev.imagebuilder.testkit.internal.launchpad.Tokens;
import dev.imagebuilder.testkit.internal.launchpad.WebhookHub;
import dev.imagebuilder.testkit.internal.launchpad.World;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockWebServer;

/**
 * A fake Launchpad web service ({@code devel}) on a loopback port: OCI recipes, build requests,
 * builds, processors and push rules, OAuth 1.0 PLAINTEXT, ETags, collections, named operations,
 * the WADL launchpadlib reads, the token pages, a scripted build farm with its own clock, fault
 * injection and a request journal. It is a mockwebserver3 {@link Dispatcher} written from the
 * protocol reference, sharing no code with imagebuilder's Launchpad client.
 *
 * <pre>{@code
 * try (FakeLaunchpad lp = FakeLaunchpad.start()) {
 *   RecipeHandle redis = lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04")
 *       .processors("amd64", "arm64")
 *       .pushRule("https://registry.example", "ubuntu/redis", "bot");
 *   lp.script(redis, "arm64").uploadFailsTimes(1);
 *   // point a client at lp.serviceRoot() with lp.credentials(), then:
 *   lp.advance(lp.phase().multipliedBy(6));   // every build finished and uploaded (or failed)
 * }
 * }</pre>
 *
 * <p>Each farm state lasts one {@link #phase()}: the build request's job runs one phase after
 * requestBuilds, then each build is Needs building, Currently building, Gathering build output,
 * Uploading build for one phase each, and a registry upload is Pending for one phase. With the
 * default (manual) clock nothing moves until {@link #advance(Duration)}; {@link Builder#realTime}
 * runs it on the wall clock for demos.
 */
public final class FakeLaunchpad implements AutoCloseable {
  /** The default phase of the manual clock. */
  public static final Duration DEFAULT_PHASE = Duration.ofMinutes(1);
  /** The fake's own user, who is a member of every team made by {@link #addTeam}. */
  public static final String USER = "imagebuilder-bot";
  /** The consumer key of {@link #credentials()}. */
  public static final String CONSUMER_KEY = "imagebuilder-testkit";
  /** Launchpad's largest page ({@code ws.size}); larger asks are refused with 400. */
  public static final int MAX_BATCH_SIZE = 300;

  private static final Pattern SERIES_SUFFIX = Pattern.compile("(\\d{2}\\.\\d{2})$");

  private final MockWebServer server;
  private final World world;
  private final Tokens tokens;
  private final FaultInjector faults;
  private final LaunchpadDispatcher dispatcher;
  private final WebhookHub webhooks;
  private final String host;
  private volatile Path catalogFile;
  private volatile boolean closed;
  // #12: registry uploads really push (RegistryPusher) before a build shows Uploaded.
  private final URI registryUrl;
  private FakeRegistry ownRegistry;
  private final java.util.List<String> pushFailures = new java.util.concurrent.CopyOnWriteArrayList<>();

  private FakeLaunchpad(Builder b) {
    this.world = new World(new FarmClock(b.clock, b.realTime), b.phase, USER);
    this.tokens = new Tokens();
    this.tokens.issue(CONSUMER_KEY);
    this.tokens.autoApprove(b.autoApproveTokens);
    this.faults = new FaultInjector();
    this.webhooks = new WebhookHub(world, Duration.ofMillis(20));
    this.dispatcher = new LaunchpadDispatcher(world, tokens, faults, webhooks, b.batchSize);
    this.server = new MockWebServer();
    this.server.setDispatcher(dispatcher);
    this.server.setServerSocketFactory(new NoDelayServerSocketFactory());
    try {
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      this.server.start(loopback, b.port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fake Launchpad on 127.0.0.1:" + b.port, e);
    }
    this.host = "127.0.0.1:" + server.getPort();
    world.onRecipesChanged(this::rewriteCatalog);
    this.registryUrl = b.registry;
    world.onUpload(this::push);
  }

  // ---- the registry uploads ----------------------------------------------------------------

  /**
   * The registry the demo push rules point at: the one given to the builder, else an in-process
   * {@link FakeRegistry} (started on first call, closed with this fake).
   */
  public synchronized URI registryUri() {
    if (registryUrl != null) {
      return registryUrl;
    }
    return registry().uri();
  }

  /** Whether pushes go to the in-process {@link #registry()} (no registry URL was given). */
  public boolean hasOwnRegistry() {
    return registryUrl == null;
  }

  /** The in-process registry, started on first call; absent when the builder was given a URL. */
  public synchronized FakeRegistry registry() {
    if (registryUrl != null) {
      throw new IllegalStateException("this fake pushes to " + registryUrl + ", not to an in-process registry");
    }
    if (ownRegistry == null) {
      ownRegistry = FakeRegistry.builder().build().start();
    }
    return ownRegistry;
  }

  /** The registry pushes that failed so far (each made that build's upload fail). */
  public java.util.List<String> registryPushFailures() {
    return java.util.List.copyOf(pushFailures);
  }

  /**
   * As Launchpad does: each uploaded build's image by digest to every push rule's registry, then,
   * once every build of the request is uploaded, the manifest list as {@code <branch>_edge}.
   * Push rules to registries that are not on loopback are skipped (no network in tests). A
   * failed push makes the upload fail with its message.
   */
  private String push(RegistryUpload u) {
    String seed = u.recipePath() + "#" + u.requestId();
    dev.imagebuilder.testkit.internal.registry.RegistryPusher pusher =
        new dev.imagebuilder.testkit.internal.registry.RegistryPusher();
    for (String[] rule : u.pushRules()) {
      if (!dev.imagebuilder.testkit.internal.registry.RegistryPusher.pushable(rule[0])) {
        continue;
      }
      URI registry = URI.create(rule[0].endsWith("/") ? rule[0].substring(0, rule[0].length() - 1) : rule[0]);
      try {
        pusher.pushBuild(registry, rule[1],
            dev.imagebuilder.testkit.internal.registry.FakeImages.archImage(seed, u.arch()));
        if (!u.requestArches().isEmpty()) {
          String tag = u.branch().matches(".+-\\d\\d\\.\\d\\d") ? u.branch() + "_edge" : "edge";
          pusher.pushList(registry, rule[1], tag, u.requestArches().stream()
              .map(a -> dev.imagebuilder.testkit.internal.registry.FakeImages.archImage(seed, a)).toList());
        }
      } catch (java.io.IOException e) {
        pushFailures.add(rule[0] + "/" + rule[1] + " (" + u.arch() + "): " + e.getMessage());
        return "push to " + rule[0] + " failed: " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }
    return null;
  }

  /** Starts a fake on a random loopback port with a manual clock. */
  public static FakeLaunchpad start() {
    return builder().start();
  }

  /** Starts a fake on the given loopback port (0: random) with a manual clock. */
  public static FakeLaunchpad start(int port) {
    return builder().port(port).start();
  }

  /** Starts a real-time fake on a random port with {@link DemoData}: images build in seconds. */
  public static FakeLaunchpad demo() {
    return demo(0);
  }

  /** As {@link #demo()}, on the given loopback port (0: random). */
  public static FakeLaunchpad demo(int port) {
    return demo(port, null);
  }

  /** As {@link #demo(int)}, with the push rules pointing at {@code registry} ({@code null}: an in-process FakeRegistry). */
  public static FakeLaunchpad demo(int port, URI registry) {
    Builder b = builder().port(port).realTime(DemoData.PHASE).autoApproveTokens(true);
    if (registry != null) {
      b.registry(registry);
    }
    FakeLaunchpad lp = b.start();
    DemoData.install(lp);
    return lp;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a fake before it starts. */
  public static final class Builder {
    private int port;
    private Duration phase = DEFAULT_PHASE;
    private boolean realTime;
    private boolean autoApproveTokens;
    private Clock clock = Clock.systemUTC();
    private URI registry;
    private int batchSize = MAX_BATCH_SIZE;

    private Builder() {}

    /**
     * Serves collections in pages of at most {@code entries} (1 to {@value #MAX_BATCH_SIZE}, the
     * default), whatever {@code ws.size} asks, with {@code next_collection_link} to the rest: so a
     * test with a few builds can check that a client follows it.
     */
    public Builder batchSize(int entries) {
      if (entries < 1 || entries > MAX_BATCH_SIZE) {
        throw new IllegalArgumentException("batch size must be 1 to " + MAX_BATCH_SIZE + ": " + entries);
      }
      this.batchSize = entries;
      return this;
    }

    /**
     * The registry the demo push rules point at (and so where builds are pushed); by default an
     * in-process {@link FakeRegistry} started on first use.
     */
    public Builder registry(URI registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The loopback port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** How long each farm state lasts on the manual clock (default one minute). */
    public Builder phase(Duration phase) {
      this.phase = Objects.requireNonNull(phase, "phase");
      return this;
    }

    /** Runs the farm on the wall clock, each state lasting {@code phase} (demos, manual trials). */
    public Builder realTime(Duration phase) {
      this.phase = Objects.requireNonNull(phase, "phase");
      this.realTime = true;
      return this;
    }

    /** Where the farm's clock starts (manual mode) or reads the time (real time). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Approves every request token as it is created, as if the user clicked at once. */
    public Builder autoApproveTokens(boolean on) {
      this.autoApproveTokens = on;
      return this;
    }

    public FakeLaunchpad start() {
      return new FakeLaunchpad(this);
    }
  }

  // ---- addresses ---------------------------------------------------------------------------

  /** The service root, {@code http://127.0.0.1:<port>/devel/}. */
  public URI serviceRoot() {
    return URI.create("http://" + host + "/devel/");
  }

  /** The web root, {@code http://127.0.0.1:<port>/}, where the token pages and build logs are. */
  public URI webRoot() {
    return URI.create("http://" + host + "/");
  }

  public int port() {
    return server.getPort();
  }

  /** The mockwebserver3 dispatcher, to mount the fake on a server of your own. */
  public Dispatcher dispatcher() {
    return dispatcher;
  }

  // ---- data ---------------------------------------------------------------------------------

  /** Adds a person the fake's user is not part of (so it cannot build their recipes). */
  public FakeLaunchpad addPerson(String name) {
    world.addPerson(name, false, false);
    return this;
  }

  /** Adds a team with the fake's user as a member (so it may build the team's recipes). */
  public FakeLaunchpad addTeam(String name) {
    world.addPerson(name, true, true);
    return this;
  }

  public FakeLaunchpad addProject(String name) {
    world.addProject(name);
    return this;
  }

  public FakeLaunchpad addOciProject(String project, String name) {
    world.addOciProject(project, name);
    return this;
  }

  /**
   * Adds a recipe {@code ~owner/project/+oci/ociProject/+recipe/recipeName}, creating a missing
   * owner (as a team of the fake's user), project and OCI project. Its series, for the catalog, is
   * the recipe name's {@code NN.NN} suffix, if any.
   */
  public RecipeHandle addRecipe(String owner, String project, String ociProject, String recipeName) {
    Matcher m = SERIES_SUFFIX.matcher(recipeName);
    return addRecipe(owner, project, ociProject, recipeName, m.find() ? m.group(1) : null);
  }

  /** As {@link #addRecipe(String, String, String, String)} with an explicit series (may be null). */
  public RecipeHandle addRecipe(String owner, String project, String ociProject, String recipeName, String series) {
    String path = world.addRecipe(owner, project, ociProject, recipeName, series);
    return new RecipeHandle(this, world, path, ociProject, series);
  }

  /** The scripted outcome of the builds of {@code recipe} on {@code arch}. */
  public BuildScript script(RecipeHandle recipe, String arch) {
    return new BuildScript(world.outcome(recipe.path(), arch));
  }

  /** The recipe's processors now (to check that a client left them as it found them). */
  public List<String> recipeProcessors(RecipeHandle recipe) {
    return world.recipeProcessors(recipe.path());
  }

  public List<FakeBuild> builds(RecipeHandle recipe) {
    return world.builds(recipe.path()).stream()
        .map(b -> new FakeBuild(serviceRoot() + b.path(), b.arch(), b.buildstate(), b.registryUploadStatus()))
        .toList();
  }

  /** The statuses of the recipe's build requests, oldest first ("Pending", "Failed", "Completed"). */
  public List<String> buildRequestStatuses(RecipeHandle recipe) {
    return world.buildRequestStatuses(recipe.path());
  }

  // ---- clock -------------------------------------------------------------------------------

  public Duration phase() {
    return world.phase();
  }

  /** Moves the farm's clock forward and applies every state change due by then. */
  public FakeLaunchpad advance(Duration by) {
    world.clock().advance(by);
    world.settle();
    return this;
  }

  /** Moves the clock by {@code phases} phases. */
  public FakeLaunchpad advancePhases(int phases) {
    return advance(phase().multipliedBy(phases));
  }

  // ---- authentication -----------------------------------------------------------------------

  /** The consumer key, access token and secret of the fake's user. */
  public LaunchpadCredentials credentials() {
    String[] c = tokens.current();
    return new LaunchpadCredentials(c[0], c[1], c[2]);
  }

  /** Expires the current access token: calls with it get 401 "Expired token (...).". */
  public FakeLaunchpad expireToken() {
    tokens.expireCurrent();
    return this;
  }

  /** Issues a fresh access token (the old one stays as it was) and returns it. */
  public LaunchpadCredentials renewCredentials() {
    String[] c = tokens.issue(CONSUMER_KEY);
    return new LaunchpadCredentials(c[0], c[1], c[2]);
  }

  /** Approves (or declines) every request token waiting at {@code +authorize-token}; returns how many. */
  public int reviewPendingTokens(boolean approve) {
    return tokens.review(approve);
  }

  /** Approves request tokens as soon as they are created, or stops doing so. */
  public FakeLaunchpad autoApproveTokens(boolean on) {
    tokens.autoApprove(on);
    return this;
  }

  // ---- webhooks ----------------------------------------------------------------------------

  /** The recipes' webhooks: what was delivered, and drops of deliveries (retried like Launchpad). */
  public FakeWebhooks webhooks() {
    return new FakeWebhooks(webhooks);
  }

  // ---- faults and journal -------------------------------------------------------------------

  public Faults faults() {
    return new Faults(faults, null);
  }

  /** Every request received so far, in order. */
  public List<RecordedCall> requests() {
    return dispatcher.journal().stream().map(FakeLaunchpad::toRecorded).toList();
  }

  /**
   * How many POSTs naming {@code wsOp} the fake acted on and answered with success (2xx), counting
   * those whose answer a fault then lost: requestBuilds, scheduleRegistryUpload, cancel, retry,
   * setProcessors, ...
   */
  public long operationCount(String wsOp) {
    return dispatcher.journal().stream()
        .filter(c -> c.processed() && c.status() / 100 == 2 && c.method().equals("POST") && wsOp.equals(c.wsOp()))
        .count();
  }

  public FakeLaunchpad clearRequests() {
    dispatcher.clearJournal();
    return this;
  }

  private static RecordedCall toRecorded(Call c) {
    return new RecordedCall(c.method(), c.path(), c.wsOp(), c.status(), c.anonymous(), c.fault(), c.processed());
  }

  // ---- files for clients --------------------------------------------------------------------

  /**
   * The catalog of every recipe with a series: {@code {"recipes": {image: {series: path}}}},
   * paths relative to the service root.
   */
  public String catalogJson() {
    return catalogJson(null);
  }

  String catalogJson(Map<String, Object> template) {
    Map<String, Map<String, String>> recipes = new LinkedHashMap<>();
    world.recipeSeries().forEach((path, series) -> {
      if (series != null) {
        recipes.computeIfAbsent(world.recipeImage(path), i -> new LinkedHashMap<>()).put(series, path);
      }
    });
    Map<String, Object> catalog = new LinkedHashMap<>();
    catalog.put("recipes", recipes);
    if (template != null) {
      catalog.put("template", template);
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(catalog) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@link #catalogJson()} to {@code file} now and again whenever a recipe is added. */
  public Path writeCatalog(Path file) {
    this.catalogFile = file;
    rewriteCatalog();
    return file;
  }

  private Map<String, Object> catalogTemplate;

  void catalogTemplate(Map<String, Object> template) {
    this.catalogTemplate = template;
  }

  private synchronized void rewriteCatalog() {
    Path file = catalogFile;
    if (file == null) {
      return;
    }
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".catalog", ".tmp");
      Files.writeString(tmp, catalogJson(catalogTemplate));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write catalog " + file, e);
    }
  }

  /** Writes launchpadlib's credentials file for {@link #credentials()} (mode 0600). */
  public Path writeCredentials(Path file) {
    return credentials().writeTo(file);
  }

  /** Stops the server. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    faults.releaseAll();
    webhooks.close();
    server.close();
    synchronized (this) {
      if (ownRegistry != null) {
        ownRegistry.close();
      }
    }
  }

  @Override
  public String toString() {
    return "FakeLaunchpad[" + serviceRoot() + "]";
  }
}
