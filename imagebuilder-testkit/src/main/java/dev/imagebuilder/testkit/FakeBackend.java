package dev.imagebuilder.testkit;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.testkit.internal.backend.Farm;
import dev.imagebuilder.testkit.internal.backend.FarmProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A real backend ({@link dev.imagebuilder.spi.Backend} SPI) over a scripted, in-memory remote
 * build system, for integration tests of code that submits, follows, cancels, retries and resumes
 * builds: the {@code ImageBuilder} engine, a queue worker, a command line, a user's own tool.
 *
 * <pre>{@code
 * FakeBackend fake = FakeBackend.create();
 * fake.script("image", TargetScript.failsToBuild("compile error"), TargetScript.succeeds());
 * try (ImageBuilder builder = ImageBuilder.newBuilder().discoverBackends(false)
 *     .backend(fake.provider()).build()) {
 *   BuildHandle h = builder.submit(ImageRequest.cloud().image(url).series("jammy").build());
 *   fake.advancePhases(3);                        // queued, building, failed to build
 *   BuildResult first = h.await(Duration.ofSeconds(10));
 *   BuildResult second = h.retry().await(...);    // attempt 2: the second script
 *   assertThat(fake.calls(FakeBackend.Call.Kind.RETRY)).hasSize(1);
 * }
 * }</pre>
 *
 * <p><b>The remote side.</b> The fake backend is the remote system: every backend its
 * {@link #provider()} creates (one per {@code ImageBuilder}) submits to and reads from the same
 * builds, so a second {@code ImageBuilder} can resume a first one's ticket, as a second process
 * would. A submit creates a build ({@code fake-1}, {@code fake-2}, ...) with one target per key
 * of the request's fan-out: a cloud request has the target {@code image}, a touch request one per
 * device, an OCI build or promotion one per {@code image/series/architecture} (the fake has no
 * catalog, so images, series and architectures must be named). {@link Builder#targets} replaces
 * the fan-out.
 *
 * <p><b>Scripts and time.</b> Each attempt of each target walks a {@link TargetScript} (by
 * default {@link TargetScript#succeeds()}), one state per phase of the fake's clock. The clock
 * stands still until the test moves it ({@link #advance}, {@link #advancePhases}); with
 * {@link Builder#realTime} it runs with the wall clock. A script ending in a state that is not
 * terminal hangs there until the build is cancelled; {@link #finish} sets a state on demand.
 *
 * <p><b>Like a real backend</b>, its jobs record their intent through
 * {@link dev.imagebuilder.spi.BuildContext#checkpoint} before each call that creates work (a
 * submit, a retry) and the answer after it, so journals and resume are exercised; a resume whose
 * ticket holds an intent without an answer asks the fake whether the build was made. Its ticket
 * state is {@code {"build": "fake-1", "targets": [...]}}. Cancel moves the followed targets that
 * are not terminal to {@code CANCELLED}; retry starts the failed targets' next attempt in place,
 * with the next script given for their key. Clients poll every {@link Builder#pollInterval}.
 *
 * <p><b>Records.</b> Every submit, resume, retry and cancel the fake was asked for is a
 * {@link Call}; {@link #builds()} shows the builds as they stand. {@link #awaitBuilds} and
 * {@link #awaitCalls} wait for them, woken by each change rather than by polling.
 *
 * <p><b>Discovery.</b> The test kit also provides a {@link BackendProvider} named
 * {@value #DEFAULT_NAME} to {@link java.util.ServiceLoader}, serving {@link #discovered()}. It
 * never takes requests unasked: it is unavailable unless {@code imagebuilder.fake.enabled=true},
 * and has the lowest priority; {@code imagebuilder.backend.<image_type>=fake} chooses it.
 *
 * <p>Thread-safe.
 */
public final class FakeBackend {
  /** The name of the provider, unless {@link Builder#name} gives another. */
  public static final String DEFAULT_NAME = "fake";
  /** How long each state of a script lasts, unless {@link Builder#phase} says otherwise. */
  public static final Duration DEFAULT_PHASE = Duration.ofMinutes(1);

  private static final FakeBackend DISCOVERED = newBuilder().build();

  private final String name;
  private final Farm farm;
  private final BackendProvider provider;

  private FakeBackend(Builder b) {
    this.name = b.name;
    this.farm = new Farm(b.clock, b.realTime, b.phase, b.pollInterval, b.fanOut);
    this.provider = new FarmProvider(farm, name, b.types);
  }

  /** A fake backend named {@value #DEFAULT_NAME}, serving every request type, on a still clock. */
  public static FakeBackend create() {
    return newBuilder().build();
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * The instance the {@link java.util.ServiceLoader} provider {@value #DEFAULT_NAME} serves, for
   * tests that find backends by discovery (or run code that builds its own {@code ImageBuilder}).
   * Shared by the whole JVM: {@link #reset()} it between tests.
   */
  public static FakeBackend discovered() {
    return DISCOVERED;
  }

  /** The provider to register on a builder: {@code ImageBuilder.newBuilder().backend(fake.provider())}. */
  public BackendProvider provider() {
    return provider;
  }

  public String name() {
    return name;
  }

  // ---- scripts ----

  /**
   * What target {@code key} does: its first attempt follows {@code attempts[0]}, a retry the next
   * script, and every attempt past the last script follows the last one.
   */
  public FakeBackend script(String key, TargetScript... attempts) {
    Objects.requireNonNull(attempts, "attempts");
    if (attempts.length == 0) {
      throw new IllegalArgumentException("attempts: give at least one script for " + key);
    }
    for (TargetScript s : attempts) {
      Objects.requireNonNull(s, "attempts");
    }
    farm.script(key, List.of(attempts));
    return this;
  }

  /** What targets without a script of their own do (by default {@link TargetScript#succeeds()}). */
  public FakeBackend defaultScript(TargetScript script) {
    farm.defaultScript(script);
    return this;
  }

  // ---- time and control ----

  /** Moves the fake's clock forward: targets move through as many states as phases passed. */
  public FakeBackend advance(Duration by) {
    farm.advance(Objects.requireNonNull(by, "by"));
    return this;
  }

  /** Moves the fake's clock forward by {@code phases} phases. */
  public FakeBackend advancePhases(int phases) {
    if (phases < 0) {
      throw new IllegalArgumentException("phases must not be negative: " + phases);
    }
    return advance(farm.phase().multipliedBy(phases));
  }

  /**
   * Sets every target of build {@code buildId} that is not terminal to {@code state}, whatever
   * its script says, as the remote system deciding.
   *
   * @throws IllegalArgumentException when the fake has no such build
   */
  public FakeBackend finish(String buildId, TargetState state) {
    farm.finish(buildId, null, state);
    return this;
  }

  /** Sets target {@code key} of build {@code buildId} to {@code state}, terminal or not. */
  public FakeBackend finish(String buildId, String key, TargetState state) {
    farm.finish(buildId, Objects.requireNonNull(key, "key"), state);
    return this;
  }

  /** {@link #finish(String, TargetState)} for every build. */
  public FakeBackend finishAll(TargetState state) {
    farm.finishAll(state);
    return this;
  }

  /**
   * Builds started from now on plan nothing (declare no target, submit nothing) until
   * {@link #releaseSubmissions()}: they wait on a worker thread of their {@code ImageBuilder}, so
   * a test can stop that builder (a process killed) before its build planned anything.
   */
  public FakeBackend holdSubmissions() {
    farm.hold();
    return this;
  }

  /** Lets the held builds go on, and builds from now on submit at once. */
  public FakeBackend releaseSubmissions() {
    farm.release();
    return this;
  }

  /** Forgets every build, call and script; the clock stays where it is. */
  public FakeBackend reset() {
    farm.reset();
    return this;
  }

  // ---- records ----

  /** Every build the fake has, in the order they were submitted, as they stand now. */
  public List<Build> builds() {
    return farm.builds();
  }

  /** A build as it stands now. */
  public Optional<Build> build(String id) {
    return farm.build(Objects.requireNonNull(id, "id"));
  }

  /**
   * The only build.
   *
   * @throws AssertionError when there is none or more than one
   */
  public Build onlyBuild() {
    List<Build> all = builds();
    if (all.size() != 1) {
      throw new AssertionError("expected one build on the fake backend, found " + all);
    }
    return all.get(0);
  }

  /** Every call, in order. */
  public List<Call> calls() {
    return farm.calls();
  }

  /** The calls of one kind, in order. */
  public List<Call> calls(Call.Kind kind) {
    Objects.requireNonNull(kind, "kind");
    return farm.calls().stream().filter(c -> c.kind() == kind).toList();
  }

  /** The requests submitted, in order. */
  public List<ImageRequest> submittedRequests() {
    return calls(Call.Kind.SUBMIT).stream().map(Call::request).toList();
  }

  /**
   * Waits until the fake has at least {@code count} builds and returns them all.
   *
   * @throws AssertionError when {@code timeout} passes first
   */
  public List<Build> awaitBuilds(int count, Duration timeout) throws InterruptedException {
    return farm.await(count + " build(s)", timeout, () -> {
      List<Build> all = farm.builds();
      return all.size() >= count ? Optional.of(all) : Optional.empty();
    });
  }

  /**
   * Waits until the fake was asked at least {@code count} calls of {@code kind}, and returns them.
   *
   * @throws AssertionError when {@code timeout} passes first
   */
  public List<Call> awaitCalls(Call.Kind kind, int count, Duration timeout) throws InterruptedException {
    return farm.await(count + " " + kind + " call(s)", timeout, () -> {
      List<Call> of = calls(kind);
      return of.size() >= count ? Optional.of(of) : Optional.empty();
    });
  }

  /**
   * How often clients have read build {@code buildId} (each poll reads it once): a clock of their
   * polling, to wait for a client to have seen the build as it is now, or to tell that a client
   * stopped polling.
   *
   * @throws IllegalArgumentException when the fake has no such build
   */
  public long reads(String buildId) {
    return farm.reads(buildId);
  }

  /**
   * Waits until clients have read build {@code buildId} {@code more} times more than now: after
   * that, they have seen every change made before the call.
   *
   * @throws AssertionError when {@code timeout} passes first
   */
  public void awaitReads(String buildId, int more, Duration timeout) throws InterruptedException {
    long target = farm.reads(buildId) + more;
    farm.await(more + " more read(s) of " + buildId, timeout,
        () -> farm.reads(buildId) >= target ? Optional.of(Boolean.TRUE) : Optional.empty());
  }

  @Override
  public String toString() {
    return "FakeBackend[" + name + ", " + farm.builds().size() + " builds]";
  }

  /**
   * A build on the fake, as it stood when read.
   *
   * @param id the fake's id for it ({@code fake-1}, ...), which its tickets carry
   * @param clientBuildId the id of the {@code BuildHandle} that submitted it
   * @param request what was submitted
   * @param targets each target's snapshot, in the order of the fan-out
   */
  public record Build(String id, String clientBuildId, ImageRequest request, List<TargetStatus> targets) {
    public Build {
      targets = List.copyOf(targets);
    }

    /**
     * One target's snapshot.
     *
     * @throws IllegalArgumentException when it has no such target
     */
    public TargetStatus target(String key) {
      return targets.stream().filter(t -> t.key().equals(key)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("build " + id + " has no target " + key));
    }

    /**
     * The state of its only target.
     *
     * @throws IllegalStateException when it has several
     */
    public TargetState state() {
      if (targets.size() != 1) {
        throw new IllegalStateException("build " + id + " has " + targets.size() + " targets: "
            + "ask for one with target(key)");
      }
      return targets.get(0).state();
    }
  }

  /**
   * One thing the fake was asked.
   *
   * @param kind what
   * @param buildId the fake's build it was about, or {@code null} when there was none (a cancel
   *     before anything was submitted, a resume of a build never submitted)
   * @param clientBuildId the id of the {@code BuildHandle} that asked
   * @param request the handle's request
   * @param targets the target keys it was about
   */
  public record Call(Kind kind, String buildId, String clientBuildId, ImageRequest request, Set<String> targets) {
    public Call {
      Objects.requireNonNull(kind, "kind");
      targets = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(targets));
    }

    /** The kinds of call. */
    public enum Kind {
      /** A new build ({@code Backend.start}, or a retry of a build never submitted). */
      SUBMIT,
      /** A client re-attached from a ticket ({@code Backend.resume}). */
      RESUME,
      /** The next attempt of failed targets, in place ({@code Backend.retry}). */
      RETRY,
      /** A cancel ({@code BuildJob.cancel}). */
      CANCEL
    }
  }

  /** Settles a fake backend's name, the types it serves, its fan-out, clock and polling. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private final Set<Class<? extends ImageRequest>> types = new LinkedHashSet<>();
    private Function<ImageRequest, List<PlannedTarget>> fanOut = FakeBackend::fanOut;
    private Clock clock = Clock.systemUTC();
    private boolean realTime;
    private Duration phase = DEFAULT_PHASE;
    private Duration pollInterval = Duration.ofMillis(10);

    private Builder() {}

    /** The provider's name: tickets and configuration keys carry it. */
    public Builder name(String newName) {
      Objects.requireNonNull(newName, "name");
      if (!newName.matches("[a-z][a-z0-9-]*")) {
        throw new IllegalArgumentException("name: '" + newName + "' is not a backend name"
            + " (lower-case letters, digits and '-', starting with a letter)");
      }
      this.name = newName;
      return this;
    }

    /** Serves only these request types (by default, every type). */
    @SafeVarargs
    public final Builder serves(Class<? extends ImageRequest>... requestTypes) {
      for (Class<? extends ImageRequest> t : requestTypes) {
        types.add(Objects.requireNonNull(t, "requestTypes"));
      }
      return this;
    }

    /** The target keys of a request, replacing the default fan-out. */
    public Builder targets(Function<ImageRequest, List<String>> keys) {
      Objects.requireNonNull(keys, "keys");
      this.fanOut = r -> keys.apply(r).stream()
          .map(k -> new PlannedTarget(k, Map.of(), "fake target " + k)).toList();
      return this;
    }

    /** How long each state of a script lasts on the fake's clock (default one minute). */
    public Builder phase(Duration newPhase) {
      this.phase = positive(newPhase, "phase");
      return this;
    }

    /** The fake's clock runs with the wall clock: each state lasts {@code newPhase} of real time. */
    public Builder realTime(Duration newPhase) {
      this.realTime = true;
      return phase(newPhase);
    }

    /** The clock the fake starts from (and, with {@link #realTime}, runs with). */
    public Builder clock(Clock newClock) {
      this.clock = Objects.requireNonNull(newClock, "clock");
      return this;
    }

    /** How often clients read their builds' state (default 10 ms). */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = positive(interval, "pollInterval");
      return this;
    }

    public FakeBackend build() {
      return new FakeBackend(this);
    }

    private static Duration positive(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be positive: " + d);
      }
      return d;
    }
  }

  /** The default fan-out: the one the project's real backends use, without their catalogs. */
  private static List<PlannedTarget> fanOut(ImageRequest request) {
    List<PlannedTarget> out = new ArrayList<>();
    if (request instanceof CloudImageRequest cloud) {
      out.add(new PlannedTarget("image", Map.of("base", cloud.image().toString()), "cloud image"));
    } else if (request instanceof TouchImageRequest touch) {
      touch.devices().forEach(d -> out.add(new PlannedTarget(d, Map.of("device", d), "device " + d)));
    } else if (request instanceof OciImageRequest oci) {
      ociTargets(oci.images(), oci.series(), oci.architectures(), out);
    } else if (request instanceof OciPromotionRequest promotion) {
      ociTargets(promotion.images(), promotion.series(), promotion.architectures(), out);
    }
    return out;
  }

  private static void ociTargets(
      List<String> images, List<Series> series, List<Architecture> architectures, List<PlannedTarget> out) {
    named(images, "images");
    named(series, "series");
    named(architectures, "architectures");
    for (String image : images) {
      for (Series s : series) {
        for (Architecture a : architectures) {
          Map<String, String> labels = new LinkedHashMap<>();
          labels.put("image", image);
          labels.put("series", s.toString());
          labels.put("arch", a.tag());
          out.add(new PlannedTarget(image + "/" + s + "/" + a.tag(), labels, "image " + image));
        }
      }
    }
  }

  private static void named(List<?> values, String field) {
    if (values.isEmpty()) {
      throw new InvalidRequestException(field, "is empty, and the fake backend has no catalog to"
          + " take every one from: name them");
    }
  }
}
