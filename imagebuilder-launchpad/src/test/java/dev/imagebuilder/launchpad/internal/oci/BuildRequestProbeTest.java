package dev.imagebuilder.launchpad.internal.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.testing.JdkHttpService;
import dev.imagebuilder.launchpad.testing.RecordingBuildContext;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.TestBackendContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a Pending build request is followed: after each Pending read, the next read looks at its
 * builds, and a build for every target completes the run without reading the request again;
 * short of that, the read after looks at the request. And how often its builds are read after.
 * The job's clock is manual, so which read is due when is decided here, not by timing.
 */
class BuildRequestProbeTest {
  /** The poll interval: the cycle runs this often in real time, and a read is due this long after the last on the job's clock. */
  static final Duration BASE = Duration.ofMillis(5);

  @TempDir Path dir;
  FakeLaunchpad lp;
  final ManualClock clock = new ManualClock();
  RecordingBuildContext ctx;
  /** Tasks the job's scheduler has started: its poll cycles. */
  final AtomicInteger cycles = new AtomicInteger();

  @BeforeEach
  void setUp() {
    lp = FakeLaunchpad.start();
    lp.addRecipe("udi", "udi", "redis", "redis-22.04").processors("amd64", "arm64")
        .pushRule("https://registry.example", "ubuntu/redis", "bot");
  }

  @AfterEach
  void tearDown() {
    if (ctx != null) {
      ctx.close();
    }
    lp.close();
  }

  @Test
  void buildsThatExistAtTheSecondReadCompleteTheRunWithoutReadingTheRequestAgain() throws Exception {
    startAndReadThePendingRequestOnce();

    lp.advancePhases(1); // the request job runs: both builds exist, the request is Completed
    clock.advance(BASE.multipliedBy(2));
    eventually("every target shows its build", () -> allTargets("Needs building"));

    assertThat(reads("request")).as("the build request was read only while Pending").isEqualTo(1);
    assertThat(reads("builds")).isEqualTo(1);
  }

  @Test
  void whileTheRequestStaysPendingTheReadsAlternateBetweenItsBuildsAndTheRequest() throws Exception {
    startAndReadThePendingRequestOnce();

    clock.advance(BASE.multipliedBy(2));
    eventually("a look at the request's builds", () -> reads("builds") == 1);
    // Regression (issue #16): an empty look at the builds was followed at once by a read of the
    // request, two reads in one cycle for one answer.
    clock.advance(BASE.dividedBy(2)); // a cycle before the next read is due
    awaitCycles(3);
    assertThat(reads("request")).as("no read of the request in the same cycle").isEqualTo(1);
    assertThat(ctx.targets().values()).extracting(TargetStatus::rawState).containsOnly("Build request Pending");

    advanceUntil("the request read again", () -> reads("request") == 2);
    assertThat(reads("builds")).isEqualTo(1);
    advanceUntil("its builds looked at again", () -> reads("builds") == 2);
    assertThat(reads("request")).isEqualTo(2);

    lp.advancePhases(1); // the request job runs: the next read, of the request, says Completed
    advanceUntil("a third read of the request", () -> reads("request") == 3);
    eventually("every target shows its build", () -> allTargets("Needs building"));
    assertThat(reads("builds")).as("a Completed request's builds are read right after it").isEqualTo(3);
  }

  /**
   * Regression: Launchpad works out a queued build's {@code eta} from the time of each request,
   * so its {@code http_etag} changes at every read. Compared by that, every read of a build
   * waiting for a builder showed a change, and it was read every interval for as long as it
   * waited (40 reads in 40 intervals here) instead of less and less often.
   */
  @Test
  void aBuildWaitingForABuilderIsReadLessOftenThoughItsEtaMovesAtEveryRead() throws Exception {
    startAndReadThePendingRequestOnce();
    lp.advancePhases(1); // the request job runs: both builds exist, Needs building for a phase
    advanceUntil("every target shows its build", () -> allTargets("Needs building"));
    long from = reads("builds");

    for (int i = 0; i < 40; i++) {
      lp.advance(BASE); // the fake's clock, which its eta follows: far from the end of the phase
      clock.advance(BASE);
      awaitCycles(2);
    }

    // The waits double after the read that showed the builds, up to max-poll-interval (8 intervals
    // by default): reads 1, 3, 7, 15, 23, 31 and 39 intervals on.
    assertThat(reads("builds") - from).isBetween(6L, 8L);
    assertThat(ctx.targets().values()).extracting(TargetStatus::rawState).allMatch(s -> s.startsWith("Needs building"));
  }

  /**
   * Regression (issue #16): each cycle was scheduled one interval after the last one ended, so the
   * cycles drifted by the time each took. With a clock that moves while a cycle runs, the next
   * one comes sooner than one interval.
   */
  @Test
  void theNextCycleIsScheduledOneIntervalAfterTheLastOneStarted() throws Exception {
    startAndReadThePendingRequestOnce();
    clock.stepOnEachRead(Duration.ofMillis(1));
    int from = ctx.scheduledDelays.size();

    advanceUntil("two more cycles scheduled", () -> ctx.scheduledDelays.size() >= from + 2);

    List<Duration> delays = List.copyOf(ctx.scheduledDelays);
    assertThat(delays.subList(from, delays.size())).allMatch(d -> d.compareTo(BASE) < 0);
  }

  /** Starts a build of every architecture and lets the job read its build request once (Pending). */
  private void startAndReadThePendingRequestOnce() throws Exception {
    Map<String, String> config = Map.of(
        "service-root", lp.serviceRoot().toString(),
        "catalog", lp.writeCatalog(dir.resolve("catalog.json")).toString(),
        "credentials-file", lp.writeCredentials(dir.resolve("credentials")).toString(),
        "poll-interval", BASE.toMillis() + "ms");
    LaunchpadBackend backend = new LaunchpadBackend(TestBackendContext.of("launchpad", config)
        .withHttp(new JdkHttpService()).withClock(clock));
    OciImageRequest request = ImageRequest.oci().build();
    ctx = new RecordingBuildContext(request).beforeEachTask(cycles::incrementAndGet);
    backend.start(request, ctx);
    eventually("requestBuilds answered and recorded", () -> reads("requestBuilds") == 1 && logged("build request "));
    advanceUntil("a first read of the request", () -> reads("request") == 1);
    eventually("every target shows the request Pending", () -> allTargets("Build request Pending"));
    assertThat(reads("builds")).isZero();
  }

  private boolean logged(String text) {
    synchronized (ctx) {
      return ctx.logs.stream().anyMatch(l -> l.contains(text));
    }
  }

  private boolean allTargets(String rawStatePrefix) {
    Map<String, TargetStatus> targets = ctx.targets();
    return targets.size() == 2 && targets.values().stream().allMatch(t -> t.rawState() != null && t.rawState().startsWith(rawStatePrefix));
  }

  /** The fake's count of: requestBuilds, reads of the build request, or reads of its builds. */
  private long reads(String what) {
    String pattern = switch (what) {
      case "requestBuilds" -> ".*/\\+recipe/[^/]+";
      case "request" -> ".*/\\+build-request/\\d+";
      case "builds" -> ".*/\\+build-request/\\d+/builds";
      default -> throw new IllegalArgumentException(what);
    };
    String method = what.equals("requestBuilds") ? "POST" : "GET";
    return lp.requests().stream().filter(c -> c.method().equals(method) && c.path().matches(pattern)).count();
  }

  /** Waits until the job has started {@code n} more tasks: at least {@code n - 1} whole poll cycles. */
  private void awaitCycles(int n) {
    int from = cycles.get();
    eventually(n + " more poll cycles", () -> cycles.get() >= from + n);
  }

  /** Moves the job's clock one interval at a time until {@code condition} holds. */
  private void advanceUntil(String what, BooleanSupplier condition) {
    Await.until(what, () -> {
      if (condition.getAsBoolean()) {
        return true;
      }
      clock.advance(BASE);
      return false;
    });
  }

  private static void eventually(String what, BooleanSupplier condition) {
    Await.until(what, condition);
  }

  /** A clock that moves only when told, or by a step at every read of it once told so. */
  static final class ManualClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T12:00:00Z"));
    private volatile Duration step = Duration.ZERO;

    void advance(Duration by) {
      now.updateAndGet(t -> t.plus(by));
    }

    void stepOnEachRead(Duration by) {
      step = by;
    }

    @Override
    public Instant instant() {
      Duration by = step;
      return now.getAndUpdate(t -> t.plus(by));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
