package dev.imagebuilder.amqp;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A remote build system for tests: builds are created by {@code start}, stay BUILDING until the
 * test finishes them, and are only observed by {@code resume}. It counts starts, resumes and
 * cancels, so a test can tell a resumed build from a second one. Its backend provider ("farm")
 * is registered on the workers' ImageBuilders; every ImageBuilder of a test shares one farm, as
 * workers on several machines share one remote system.
 */
final class BuildFarm {
  final AtomicInteger starts = new AtomicInteger();
  final AtomicInteger resumes = new AtomicInteger();
  final AtomicInteger cancels = new AtomicInteger();
  /** The requests builds were started for, in order. */
  final List<ImageRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, TargetState> builds = new ConcurrentHashMap<>();
  private final Map<String, ImageRequest> requestOf = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  /**
   * When set, a started build plans (declares its target and creates its remote build) only once
   * this is released, on a worker thread that dies with its ImageBuilder: a build killed before
   * it planned anything.
   */
  volatile java.util.concurrent.CountDownLatch planning;

  BackendProvider provider() {
    return new BackendProvider() {
      @Override
      public String name() {
        return "farm";
      }

      @Override
      public boolean supports(Class<? extends ImageRequest> type) {
        return true;
      }

      @Override
      public Backend create(BackendContext context) {
        return new FarmBackend();
      }
    };
  }

  /** The ids of the builds created so far. */
  Set<String> builds() {
    return Set.copyOf(builds.keySet());
  }

  String onlyBuild() {
    Set<String> all = builds();
    if (all.size() != 1) {
      throw new AssertionError("expected one build on the farm, found " + all);
    }
    return all.iterator().next();
  }

  /** The build started for a request of {@code imageType}. */
  String buildOf(String imageType) {
    return requestOf.entrySet().stream().filter(e -> e.getValue().imageType().equals(imageType))
        .map(Map.Entry::getKey).findFirst()
        .orElseThrow(() -> new AssertionError("no " + imageType + " build on the farm"));
  }

  void finish(String id, TargetState state) {
    if (builds.replace(id, state) == null) {
      throw new AssertionError("no build " + id + " on the farm");
    }
  }

  void finishAll(TargetState state) {
    builds.keySet().forEach(id -> finish(id, state));
  }

  TargetState state(String id) {
    return builds.get(id);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant end = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private final class FarmBackend implements Backend {
    @Override
    public Plan plan(ImageRequest request) {
      return new Plan(request, "farm", List.of(new PlannedTarget("image", Map.of(), "one image")), List.of());
    }

    @Override
    public BuildJob start(ImageRequest request, BuildContext context) {
      starts.incrementAndGet();
      requests.add(request);
      java.util.concurrent.CountDownLatch gate = planning;
      if (gate == null) {
        return follow(create(request), context);
      }
      java.util.concurrent.atomic.AtomicReference<BuildJob> planned = new java.util.concurrent.atomic.AtomicReference<>();
      context.execute(() -> {
        try {
          gate.await();
        } catch (InterruptedException e) {
          return; // the process died before planning: nothing was created anywhere
        }
        planned.set(follow(create(request), context));
      });
      return new BuildJob() {
        @Override
        public void cancel() {
          BuildJob job = planned.get();
          if (job != null) {
            job.cancel();
          }
        }

        @Override
        public Map<String, Object> state() {
          BuildJob job = planned.get();
          return job == null ? Map.of() : job.state();
        }
      };
    }

    private String create(ImageRequest request) {
      String id = "farm-" + ids.incrementAndGet();
      builds.put(id, TargetState.BUILDING);
      requestOf.put(id, request);
      return id;
    }

    @Override
    public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
      resumes.incrementAndGet();
      return follow((String) state.get("remote_id"), context);
    }

    @Override
    public BuildJob retry(ImageRequest request, Map<String, Object> state, Set<String> keys, BuildContext context) {
      return start(request, context);
    }

    private BuildJob follow(String id, BuildContext context) {
      TargetStatus target = new TargetStatus("image", Map.of("remote", id), TargetState.BUILDING,
          "building", null, null, null, Map.of(), 1);
      context.declareTargets(List.of(target));
      poll(id, target, context);
      return new BuildJob() {
        @Override
        public void cancel() {
          cancels.incrementAndGet();
          builds.replace(id, TargetState.CANCELLED);
        }

        @Override
        public Map<String, Object> state() {
          return Map.of("remote_id", id);
        }
      };
    }

    private void poll(String id, TargetStatus target, BuildContext context) {
      context.schedule(() -> {
        TargetState now = builds.get(id);
        if (now != null && now != target.state()) {
          context.update(target.withState(now, now.name().toLowerCase())
              .withOutputs(now == TargetState.SUCCEEDED ? Map.of("image", id + ".img") : Map.of()));
        }
        if (now == null || !now.isTerminal()) {
          poll(id, target, context);
        }
      }, Duration.ofMillis(20));
    }
  }
}
