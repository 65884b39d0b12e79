package dev.imagebuilder.benchmarks;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.FakeBuild;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.RecipeHandle;
import dev.imagebuilder.testkit.RecordedCall;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Requests and completion, side by side in one run: a plain launchpadlib loop (Debian's
 * python3-launchpadlib running {@code launchpadlib_loop.py}) against the library, each against
 * its own {@link FakeLaunchpad} with the same recipes, on a real-time farm, both polling at the
 * same interval. For each side: every request the fake received, per build; when the last
 * requestBuilds went out; when the side saw everything finished; and its lag after the fake's
 * last change (seen by a watcher thread reading the fake's state directly, not over HTTP).
 *
 * <p>The library runs three times: polling only, with webhooks (FakeLaunchpad delivers signed
 * {@code oci-recipe:build:0.1} events to the library's receiver on loopback), and with webhooks
 * of which one delivery in five is dropped (and retried by the fake one poll interval later).
 *
 * <p>Arguments (all optional): {@code recipes=100 archs=4 poll=1s phase=2s queue=1 build=1 rounds=1
 * webhooks=1 python=/usr/bin/python3 script=imagebuilder-benchmarks/src/main/python/launchpadlib_loop.py}.
 * {@code webhooks=0} runs the loop and polling only.
 * {@code queue} is how many phases each build waits for a builder (Needs building), longer
 * than one as in a busy queue. {@code build} is how many phases each build is Currently
 * building; above one, every recipe is first built once the same way (by the library, polling,
 * not counted), so that Launchpad has an earlier build to estimate the next one's length from,
 * as for recipes that have been built before.
 */
public final class LaunchpadRequestsBenchmark {
  private static final List<String> ARCHS = List.of("amd64", "arm64", "ppc64el", "s390x", "armhf");

  private LaunchpadRequestsBenchmark() {}

  /** What each side builds: {@code recipes} x {@code archs} builds on a farm of {@code phase}s. */
  record Workload(int recipes, int archs, Duration phase, int queue, int build) {
    int builds() {
      return recipes * archs;
    }
  }

  /** One side's figures. Times in ms from the side's start. */
  record Side(String name, int requests, int builds, long lastRequestBuilds, long sawDone, long fakeDone,
      Map<String, Integer> byKind) {
    double perBuild() {
      return (double) requests / builds;
    }

    long lag() {
      return sawDone - fakeDone;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new TreeMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      a.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    int recipes = Integer.parseInt(a.getOrDefault("recipes", "100"));
    int archs = Integer.parseInt(a.getOrDefault("archs", "4"));
    Duration poll = dev.imagebuilder.spi.Configuration.parseDuration("poll", a.getOrDefault("poll", "1s"));
    Duration phase = dev.imagebuilder.spi.Configuration.parseDuration("phase", a.getOrDefault("phase", "2s"));
    int queue = Integer.parseInt(a.getOrDefault("queue", "1"));
    int build = Integer.parseInt(a.getOrDefault("build", "1"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "1"));
    boolean webhooks = !a.getOrDefault("webhooks", "1").equals("0");
    String python = a.getOrDefault("python", "/usr/bin/python3");
    Path script = Path.of(a.getOrDefault("script", "imagebuilder-benchmarks/src/main/python/launchpadlib_loop.py"));

    Workload work = new Workload(recipes, archs, phase, queue, build);
    System.out.printf("Java %s, %d processors; %d recipes x %d architectures = %d builds, poll %s,"
            + " farm phase %s (a build: request job, 4 build states, upload = 6 phases),"
            + " queued for %d, building for %d%s%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), recipes, archs,
        work.builds(), poll, phase, queue, build, build > 1 ? " (each recipe built once before)" : "");
    for (int round = 1; round <= rounds; round++) {
      List<Side> sides = new ArrayList<>();
      sides.add(loop(work, poll, python, script));
      sides.add(library(work, poll));
      if (webhooks) {
        sides.add(library("imagebuilder webhooks", work, poll, lp -> { },
            b -> b.config("launchpad.webhook-listen", "127.0.0.1:0")));
        sides.add(library("webhooks, 1 in 5 dropped", work, poll,
            lp -> lp.webhooks().dropEvery(5).retryUnit(poll),
            b -> b.config("launchpad.webhook-listen", "127.0.0.1:0")));
      }
      print(round, sides);
    }
  }

  static void print(int round, List<Side> sides) {
    Side loop = sides.get(0);
    System.out.printf("%n== round %d ==%n", round);
    System.out.printf("%-22s %9s %10s %10s %12s %10s %9s %10s%n", "side", "requests", "per build", "fewer by",
        "last request", "saw done", "lag", "vs loop");
    for (Side s : sides) {
      System.out.printf("%-22s %9d %10.2f %9.2fx %10d ms %7d ms %6d ms %+8d ms%n", s.name(), s.requests(), s.perBuild(),
          (double) loop.requests() / s.requests(), s.lastRequestBuilds(), s.sawDone(), s.lag(),
          s.sawDone() - loop.sawDone());
    }
    for (Side s : sides) {
      System.out.printf("  %s: %s%n", s.name(), s.byKind());
    }
  }

  /** The launchpadlib loop as a child process. */
  static Side loop(Workload work, Duration poll, String python, Path script) throws Exception {
    Path dir = Files.createTempDirectory("ib-bench");
    try (Farm farm = Farm.populated(work, poll)) {
      FakeLaunchpad lp = farm.lp();
      List<String> command = new ArrayList<>(List.of(python, script.toString(), lp.webRoot().toString(),
          lp.writeCredentials(dir.resolve("credentials")).toString(), dir.resolve("cache").toString(),
          String.valueOf(poll.toMillis() / 1000.0)));
      farm.recipes().forEach(r -> command.add(r.path()));
      Watcher w = new Watcher(farm, work.builds());
      long start = System.currentTimeMillis();
      w.start(start);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      long done = -1;
      List<String> output = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          output.add(line);
          if (line.startsWith("done ")) {
            done = Long.parseLong(line.substring(5).strip()) - start;
          }
        }
      }
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || done < 0) {
        throw new IllegalStateException("the launchpadlib loop failed: " + String.join("\n", output));
      }
      w.stop();
      return side("launchpadlib loop", lp, work.builds(), w, done);
    } finally {
      LaunchpadTrackingBenchmark.deleteTree(dir);
    }
  }

  /** The library through {@link ImageBuilder}, polling only. */
  static Side library(Workload work, Duration poll) throws Exception {
    return library("imagebuilder polling", work, poll, lp -> { }, b -> { });
  }

  static Side library(String name, Workload work, Duration poll, Consumer<FakeLaunchpad> fake,
      Consumer<ImageBuilder.Builder> extra) throws Exception {
    Path dir = Files.createTempDirectory("ib-bench");
    try (Farm farm = Farm.populated(work, poll)) {
      FakeLaunchpad lp = farm.lp();
      fake.accept(lp);
      ImageBuilder.Builder b = builder(lp, dir, poll);
      extra.accept(b);
      try (ImageBuilder builder = b.build()) {
        Watcher w = new Watcher(farm, work.builds());
        long start = System.currentTimeMillis();
        w.start(start);
        BuildHandle h = builder.submit(ImageRequest.oci().autoRetryUploads(2).build());
        BuildResult r = h.await(Duration.ofMinutes(10));
        long done = System.currentTimeMillis() - start;
        w.stop();
        // Webhooks are deleted right after their run ends: those calls count too.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (lp.webhooks().active() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        if (!r.succeeded() || r.targets().size() != work.builds()) {
          throw new IllegalStateException(name + ": not every target succeeded: " + r.targets());
        }
        return side(name, lp, work.builds(), w, done);
      }
    } finally {
      LaunchpadTrackingBenchmark.deleteTree(dir);
    }
  }

  static ImageBuilder.Builder builder(FakeLaunchpad lp, Path dir, Duration poll) {
    return ImageBuilder.newBuilder()
        .stateDirectory(dir.resolve("state"))
        .config("launchpad.service-root", lp.serviceRoot().toString())
        .config("launchpad.catalog", lp.writeCatalog(dir.resolve("catalog.json")).toString())
        .config("launchpad.credentials-file", lp.writeCredentials(dir.resolve("credentials")).toString())
        .config("launchpad.poll-interval", poll.toMillis() + "ms");
  }

  private static Side side(String name, FakeLaunchpad lp, int builds, Watcher w, long sawDone) {
    List<RecordedCall> calls = lp.requests(); // one snapshot
    Map<String, Integer> byKind = new TreeMap<>();
    for (RecordedCall c : calls) {
      byKind.merge(kind(c), 1, Integer::sum);
    }
    return new Side(name, calls.size(), builds, w.lastRequestBuilds, sawDone, w.fakeDone, byKind);
  }

  static String kind(RecordedCall c) {
    if (c.wsOp() != null) {
      return c.method() + " " + c.wsOp();
    }
    String p = c.path();
    String what = p.endsWith("/builds") ? "builds"
        : p.matches(".*/\\+build-request/\\d+") ? "build request"
        : p.matches(".*/\\+build/\\d+") ? "build"
        : p.matches(".*/\\+recipe/[^/]+") ? "recipe"
        : p.endsWith("/processors") ? "processors"
        : p.endsWith("/push_rules") ? "push rules"
        : p.endsWith("/webhooks") || p.contains("/+webhook/") ? "webhook"
        : "other";
    return c.method() + " " + what + (c.status() == 304 ? " (304)" : "");
  }

  /**
   * Reads the fake's state directly (not over HTTP) every few milliseconds: when the last
   * requestBuilds was acted on, and when the last build reached its final state.
   */
  static final class Watcher implements Runnable {
    private final FakeLaunchpad lp;
    /** Builds of each recipe made before the measured run (its history), left out. */
    private final int earlier;
    private final int recipes;
    private final int builds;
    private final List<RecipeHandle> handles;
    private volatile boolean running = true;
    private long start;
    private Thread thread;
    volatile long lastRequestBuilds = -1;
    volatile long fakeDone = -1;

    Watcher(Farm farm, int builds) {
      this.earlier = farm.earlier();
      this.lp = farm.lp();
      this.recipes = farm.recipes().size();
      this.builds = builds;
      this.handles = farm.recipes();
    }

    void start(long start) {
      this.start = start;
      thread = new Thread(this, "fake-watcher");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
      if (fakeDone < 0) {
        throw new IllegalStateException("the watcher never saw every build finished");
      }
    }

    @Override
    public void run() {
      while (running && fakeDone < 0) {
        long now = System.currentTimeMillis() - start;
        if (lastRequestBuilds < 0 && lp.operationCount("requestBuilds") >= recipes) {
          lastRequestBuilds = now;
        }
        if (lastRequestBuilds >= 0 && allUploaded()) {
          fakeDone = now;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private boolean allUploaded() {
      int n = 0;
      for (RecipeHandle r : handles) {
        List<FakeBuild> all = lp.builds(r);
        for (FakeBuild b : all.subList(Math.min(earlier, all.size()), all.size())) {
          if (!"Uploaded".equals(b.registryUploadStatus())) {
            return false;
          }
          n++;
        }
      }
      return n == builds;
    }
  }

  /**
   * A real-time fake with the benchmark's recipes, each with a push rule, and {@code earlier}
   * builds of each already made.
   */
  record Farm(FakeLaunchpad lp, List<RecipeHandle> recipes, int earlier) implements AutoCloseable {
    static Farm populated(Workload work, Duration poll) throws Exception {
      FakeLaunchpad lp = FakeLaunchpad.builder().realTime(work.phase()).start();
      String[] processors = ARCHS.subList(0, work.archs()).toArray(String[]::new);
      List<RecipeHandle> handles = new ArrayList<>();
      for (int i = 0; i < work.recipes(); i++) {
        String image = "img" + i;
        RecipeHandle recipe = lp.addRecipe("bench", "bench", image, image + "-22.04").processors(processors)
            .pushRule("https://registry.example", "bench/" + image, "bot");
        handles.add(recipe);
      }
      Farm farm = new Farm(lp, List.copyOf(handles), work.build() > 1 ? work.archs() : 0);
      if (farm.earlier() > 0) {
        farm.script(work, processors);
        farm.buildOnce(poll);
      }
      farm.script(work, processors);
      return farm;
    }

    /** Scripts the next build of every recipe on every architecture as the workload says. */
    private void script(Workload work, String[] processors) {
      for (RecipeHandle recipe : recipes) {
        for (String arch : processors) {
          if (work.queue() > 1) {
            lp.script(recipe, arch).waitsForABuilder(work.queue());
          }
          if (work.build() > 1) {
            lp.script(recipe, arch).buildsFor(work.build());
          }
        }
      }
    }

    /** Builds every recipe once through the library, then forgets the requests it took. */
    private void buildOnce(Duration poll) throws Exception {
      Path dir = Files.createTempDirectory("ib-bench-history");
      try (ImageBuilder builder = builder(lp, dir, poll).build()) {
        BuildResult r = builder.submit(ImageRequest.oci().autoRetryUploads(2).build()).await(Duration.ofMinutes(10));
        if (!r.succeeded()) {
          throw new IllegalStateException("the builds before the measured run failed: " + r.targets());
        }
      } finally {
        LaunchpadTrackingBenchmark.deleteTree(dir);
      }
      lp.clearRequests();
    }

    @Override
    public void close() {
      lp.close();
    }
  }
}
