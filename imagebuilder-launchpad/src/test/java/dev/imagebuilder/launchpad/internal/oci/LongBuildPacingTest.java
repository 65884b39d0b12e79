package dev.imagebuilder.launchpad.internal.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.launchpad.testing.JdkHttpService;
import dev.imagebuilder.launchpad.testing.RecordingBuildContext;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.FakeBuild;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.RecipeHandle;
import dev.imagebuilder.testkit.TestBackendContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of a long build, whose last steps (gathering, uploading, the registry upload) together
 * take less than the longest wait between two reads. The job and the fake share one manual clock,
 * so the fake's {@code eta} and the job's waits are on the same time line.
 */
class LongBuildPacingTest {
  /** The poll interval, in real time (the cycle) and on the shared clock (when a read is due). */
  static final Duration BASE = Duration.ofMillis(5);
  /** The longest wait between two reads: 32 intervals. */
  static final Duration CAP = BASE.multipliedBy(32);
  /** Each farm state: the last three steps take 6 intervals, far less than the longest wait. */
  static final Duration PHASE = BASE.multipliedBy(2);
  /** Phases "Currently building": 100 intervals, long enough for the waits to reach the cap. */
  static final int LONG = 50;

  @TempDir Path dir;
  final BuildRequestProbeTest.ManualClock clock = new BuildRequestProbeTest.ManualClock();
  FakeLaunchpad lp;
  RecipeHandle recipe;

  @BeforeEach
  void setUp() {
    lp = FakeLaunchpad.builder().realTime(PHASE).clock(clock).start();
    recipe = lp.addRecipe("udi", "udi", "redis", "redis-22.04").processors("amd64")
        .pushRule("https://registry.example", "ubuntu/redis", "bot");
  }

  @AfterEach
  void tearDown() {
    lp.close();
  }

  /**
   * Regression: by the end of a long build the reads were {@code max-poll-interval} apart, and
   * its last steps could all pass between two of them: the end was seen up to that long after
   * it happened. Launchpad's {@code eta} for a running build (its start plus the median length of
   * the recipe's earlier builds) now bounds the wait, and the build is watched at the base
   * interval from then on.
   */
  @Test
  void theEndOfALongBuildIsSeenWithinOneIntervalWhenLaunchpadExpectsIt() throws Exception {
    Run first = build(); // gives Launchpad a duration to estimate the next build from
    assertThat(first.lag).isNotNull();

    Run second = build();

    // One interval, plus this test's step of the clock, plus a step for a read still on its way
    // when a step ends on a busy machine. Before, 24 intervals.
    assertThat(second.lag).as("seen after the upload ended").isLessThanOrEqualTo(BASE.multipliedBy(4));
    // Still backed off while it built: the waits double up to 32 intervals (1, 2, 4, ...: 63 in
    // six reads), and the read when Launchpad expects the end comes on top.
    assertThat(second.readsWhileBuilding).isBetween(5, 10);
  }

  /** What one build showed. */
  record Run(Duration lag, int readsWhileBuilding) {}

  /** Runs one build of a long-building image to its end, one interval of the shared clock at a time. */
  private Run build() throws Exception {
    lp.script(recipe, "amd64").buildsFor(LONG);
    Map<String, String> config = Map.of(
        "service-root", lp.serviceRoot().toString(),
        "catalog", lp.writeCatalog(dir.resolve("catalog.json")).toString(),
        "credentials-file", lp.writeCredentials(dir.resolve("credentials")).toString(),
        "poll-interval", BASE.toMillis() + "ms",
        "max-poll-interval", CAP.toMillis() + "ms");
    LaunchpadBackend backend = new LaunchpadBackend(TestBackendContext.of("launchpad", config)
        .withHttp(new JdkHttpService()).withClock(clock));
    OciImageRequest request = ImageRequest.oci().build();
    AtomicInteger cycles = new AtomicInteger();
    try (RecordingBuildContext ctx = new RecordingBuildContext(request).beforeEachTask(cycles::incrementAndGet)) {
      int earlier = lp.builds(recipe).size(); // this run's build comes after those
      backend.start(request, ctx);
      Instant uploaded = null;
      Instant seen = null;
      int readsWhileBuilding = 0;
      for (int step = 0; step < 400 && seen == null; step++) {
        clock.advance(BASE);
        List<FakeBuild> builds = lp.builds(recipe);
        boolean building = builds.stream().anyMatch(b -> b.buildstate().equals("Currently building"));
        if (uploaded == null && builds.size() > earlier && "Uploaded".equals(builds.get(earlier).registryUploadStatus())) {
          uploaded = clock.instant();
        }
        long before = buildsReads();
        int from = cycles.get();
        Await.until("two more poll cycles", () -> cycles.get() >= from + 2 || ctx.done.isDone());
        if (building) {
          readsWhileBuilding += (int) (buildsReads() - before);
        }
        if (!ctx.targets().isEmpty() && ctx.targets().values().stream().allMatch(t -> t.state().isTerminal())) {
          assertThat(ctx.targets().values()).extracting(t -> t.state()).containsOnly(TargetState.SUCCEEDED);
          seen = clock.instant();
        }
      }
      assertThat(uploaded).as("the fake finished the upload").isNotNull();
      assertThat(seen).as("the job saw the build succeed").isNotNull();
      return new Run(Duration.between(uploaded, seen), readsWhileBuilding);
    }
  }

  private long buildsReads() {
    return lp.requests().stream().filter(c -> c.method().equals("GET") && c.path().endsWith("/builds")).count();
  }
}
