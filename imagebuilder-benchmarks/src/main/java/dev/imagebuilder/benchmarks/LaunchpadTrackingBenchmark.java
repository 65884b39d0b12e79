package dev.imagebuilder.benchmarks;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.RecordedCall;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Measures the OCI backend through {@link ImageBuilder} against {@link FakeLaunchpad} (same JVM,
 * loopback): requests per poll cycle against refreshing each build, total requests to
 * completion, heap and live threads while many builds are tracked, and the lag from the last
 * build finishing to the handle completing. The fake's farm runs on a manual clock, so the
 * builds' progress is decided here, not by timing.
 *
 * <p>Arguments (all optional): {@code recipes=500 archs=5 poll=1s trackedRecipes=2000}.
 */
public final class LaunchpadTrackingBenchmark {
  private static final List<String> ALL_ARCHS = List.of("amd64", "arm64", "ppc64el", "s390x", "riscv64");

  private LaunchpadTrackingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new TreeMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      a.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    int recipes = Integer.parseInt(a.getOrDefault("recipes", "500"));
    int archs = Integer.parseInt(a.getOrDefault("archs", "5"));
    Duration poll = dev.imagebuilder.spi.Configuration.parseDuration("poll", a.getOrDefault("poll", "1s"));
    int trackedRecipes = Integer.parseInt(a.getOrDefault("trackedRecipes", "2000"));

    System.out.printf("Java %s, %d processors, max heap %d MiB%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    if (recipes > 0) {
      massRebuild(recipes, archs, poll);
    }
    if (trackedRecipes > 0) {
      tracked(trackedRecipes, archs, poll);
    }
  }

  /** Requests per cycle, total requests to completion, completion lag. */
  static void massRebuild(int recipes, int archs, Duration poll) throws Exception {
    System.out.printf("%n== mass rebuild: %d recipes x %d architectures = %d builds, poll %s ==%n",
        recipes, archs, recipes * archs, poll);
    Path dir = Files.createTempDirectory("ib-bench");
    try (FakeLaunchpad lp = populated(recipes, archs); ImageBuilder builder = builder(lp, dir, poll)) {
      long t0 = System.nanoTime();
      BuildHandle h = builder.submit(ImageRequest.oci().build());
      waitFor(() -> lp.operationCount("requestBuilds") == recipes, Duration.ofMinutes(5));
      lp.advancePhases(1); // build requests' jobs run: every build exists, "Needs building"
      waitFor(() -> h.targets().size() == recipes * archs
          && h.targets().stream().allMatch(t -> t.outputs().containsKey("build")), Duration.ofMinutes(5));
      System.out.printf("submitted and attached to every build in %d ms, %d requests so far%n",
          (System.nanoTime() - t0) / 1_000_000, lp.requests().size());

      // Steady state: count requests over several cycles. Each cycle reads every open build
      // request's builds collection once, so the cycles are counted on one of them.
      int before = lp.requests().size();
      long windowStart = System.nanoTime();
      Thread.sleep(poll.multipliedBy(8).toMillis());
      // One snapshot: reading the journal twice lets a request land in between, and subList of
      // the first copy with the second copy's size throws IndexOutOfBoundsException.
      List<RecordedCall> journal = lp.requests();
      List<RecordedCall> window = List.copyOf(journal.subList(before, journal.size()));
      double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
      Map<String, Long> perRequest = new TreeMap<>();
      window.stream().filter(c -> c.path().endsWith("/builds")).forEach(c -> perRequest.merge(c.path(), 1L, Long::sum));
      double cycles = perRequest.values().stream().mapToLong(Long::longValue).average().orElse(0);
      long buildGets = window.stream().filter(c -> c.method().equals("GET") && c.path().matches(".*/\\+build/\\d+")).count();
      System.out.printf("steady state over %.1f s: %d requests, %d build requests polled %.1f times each"
              + " = %.0f requests per cycle (%d single-build GETs); a cycle took %.2f s."
              + " Refreshing each build instead: %d requests per cycle%n",
          windowSeconds, window.size(), perRequest.size(), cycles, window.size() / cycles, buildGets,
          windowSeconds / cycles, recipes * archs);
      // Let every build finish at once, then see how long the handle takes to notice.
      int beforeFinish = lp.requests().size();
      lp.advancePhases(12);
      long finished = System.nanoTime();
      BuildResult r = h.await(Duration.ofMinutes(5));
      long lagMs = (System.nanoTime() - finished) / 1_000_000;
      System.out.printf("all %d targets %s; lag from the last build finishing to the handle completing: %d ms"
              + " (poll interval %d ms)%n",
          r.targets().size(), r.succeeded() ? "succeeded" : "NOT all succeeded", lagMs, poll.toMillis());
      int total = lp.requests().size();
      System.out.printf("requests to completion: %d in total (%d after the farm finished)%n",
          total, total - beforeFinish);
    } finally {
      deleteTree(dir);
    }
  }

  /** Heap and threads while many builds are tracked. */
  static void tracked(int recipes, int archs, Duration poll) throws Exception {
    System.out.printf("%n== tracking %d builds (%d recipes x %d architectures), poll %s ==%n",
        recipes * archs, recipes, archs, poll);
    Path dir = Files.createTempDirectory("ib-bench");
    try (FakeLaunchpad lp = populated(recipes, archs); ImageBuilder builder = builder(lp, dir, poll)) {
      gc();
      long heapBefore = heapUsed();
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      BuildHandle h = builder.submit(ImageRequest.oci().build());
      waitFor(() -> lp.operationCount("requestBuilds") == recipes, Duration.ofMinutes(5));
      lp.advancePhases(1);
      waitFor(() -> h.targets().size() == recipes * archs
          && h.targets().stream().allMatch(t -> t.outputs().containsKey("build")), Duration.ofMinutes(10));
      Thread.sleep(poll.multipliedBy(3).toMillis());
      gc();
      long heapTracking = heapUsed();
      int threads = ManagementFactory.getThreadMXBean().getThreadCount();
      System.out.printf("heap used: %d MiB before submitting (fake populated), %d MiB while tracking:"
              + " %d MiB for %d tracked builds (includes the fake's own build records)%n",
          heapBefore >> 20, heapTracking >> 20, (heapTracking - heapBefore) >> 20, recipes * archs);
      System.out.printf("live threads: %d before, %d while tracking (peak %d); by name:%n", threadsBefore, threads,
          ManagementFactory.getThreadMXBean().getPeakThreadCount());
      Map<String, Integer> byName = new TreeMap<>();
      Thread.getAllStackTraces().keySet().forEach(t -> byName.merge(t.getName().replaceAll("[-#]?\\d+", "-N"), 1, Integer::sum));
      byName.forEach((name, n) -> System.out.printf("  %3d %s%n", n, name));
    } finally {
      deleteTree(dir);
    }
  }

  static FakeLaunchpad populated(int recipes, int archs) {
    FakeLaunchpad lp = FakeLaunchpad.start();
    String[] processors = ALL_ARCHS.subList(0, archs).toArray(String[]::new);
    for (int i = 0; i < recipes; i++) {
      String image = "img" + i;
      lp.addRecipe("bench", "bench", image, image + "-22.04").processors(processors)
          .pushRule("https://registry.example", "bench/" + image, "bot");
    }
    return lp;
  }

  static ImageBuilder builder(FakeLaunchpad lp, Path dir, Duration poll) {
    Path catalog = lp.writeCatalog(dir.resolve("catalog.json"));
    Path credentials = lp.writeCredentials(dir.resolve("credentials"));
    return ImageBuilder.newBuilder()
        .stateDirectory(dir.resolve("state"))
        .config("launchpad.service-root", lp.serviceRoot().toString())
        .config("launchpad.catalog", catalog.toString())
        .config("launchpad.credentials-file", credentials.toString())
        .config("launchpad.poll-interval", poll.toMillis() + "ms")
        .build();
  }

  static void waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not reached within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /** The catalog, the fake's credentials file and the state directory do not outlive a run. */
  static void deleteTree(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static void gc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
  }

  static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
