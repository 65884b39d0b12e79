package dev.imagebuilder.core.engine;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote build farm for engine tests: builds progress when the test lets them, and end in the
 * outcome scripted per target key. It counts what clients ask of it, the way a real remote
 * system would see it.
 */
final class FakeFarm {
  final AtomicInteger submissions = new AtomicInteger();
  final AtomicInteger resumes = new AtomicInteger();
  final AtomicInteger retries = new AtomicInteger();
  final AtomicInteger remoteCancels = new AtomicInteger();
  final AtomicInteger polls = new AtomicInteger();
  /** Polls per build id: a live build's count is a clock for "nothing happened meanwhile". */
  final Map<String, AtomicInteger> pollsOf = new ConcurrentHashMap<>();
  final Map<String, TargetState> outcomes = new ConcurrentHashMap<>();
  final Map<String, String> remoteState = new ConcurrentHashMap<>();
  volatile boolean running = true;
  volatile Duration pollInterval = Duration.ofMillis(5);

  /** Lets every build reach its outcome at the next poll. */
  void finishAll() {
    running = false;
  }

  int pollsOf(String buildId) {
    AtomicInteger n = pollsOf.get(buildId);
    return n == null ? 0 : n.get();
  }

  void outcome(String key, TargetState state) {
    outcomes.put(key, state);
  }

  static List<PlannedTarget> targetsOf(ImageRequest request) {
    List<PlannedTarget> out = new ArrayList<>();
    if (request instanceof OciImageRequest oci) {
      for (String image : oci.images()) {
        for (var series : oci.series()) {
          for (var arch : oci.architectures()) {
            String key = image + "/" + series + "/" + arch;
            out.add(new PlannedTarget(key, Map.of("image", image, "series", series.toString(),
                "arch", arch.tag()), "recipe " + image));
          }
        }
      }
    } else if (request instanceof CloudImageRequest cloud) {
      out.add(new PlannedTarget("image", Map.of("base", cloud.image().toString()), "cloud image"));
    } else if (request instanceof TouchImageRequest touch) {
      touch.devices().forEach(d -> out.add(new PlannedTarget(d, Map.of("device", d), "device " + d)));
    }
    return out;
  }

  BackendProvider provider(String name, Set<Class<? extends ImageRequest>> types) {
    FakeFarm farm = this;
    return new BackendProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean supports(Class<? extends ImageRequest> type) {
        return types.contains(type);
      }

      @Override
      public Backend create(BackendContext context) {
        return new FarmBackend(farm, name);
      }
    };
  }

  static final class FarmBackend implements Backend {
    private final FakeFarm farm;
    private final String name;

    FarmBackend(FakeFarm farm, String name) {
      this.farm = farm;
      this.name = name;
    }

    @Override
    public Plan plan(ImageRequest request) {
      return new Plan(request, name, targetsOf(request), List.of());
    }

    @Override
    public BuildJob start(ImageRequest request, BuildContext context) {
      farm.submissions.incrementAndGet();
      Job job = new Job(farm, context);
      for (PlannedTarget t : targetsOf(request)) {
        String ref = context.buildId() + ":" + t.key();
        farm.remoteState.put(ref, "queued");
        job.refs.put(t.key(), ref);
      }
      job.declare(1);
      return job;
    }

    @Override
    public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
      farm.resumes.incrementAndGet();
      Job job = new Job(farm, context);
      @SuppressWarnings("unchecked")
      Map<String, String> refs = (Map<String, String>) state.get("refs");
      job.refs.putAll(refs);
      job.declare(1);
      return job;
    }

    @Override
    public BuildJob retry(
        ImageRequest request, Map<String, Object> state, Set<String> keys, BuildContext context) {
      farm.retries.incrementAndGet();
      Job job = new Job(farm, context);
      @SuppressWarnings("unchecked")
      Map<String, String> refs = (Map<String, String>) state.get("refs");
      keys.forEach(k -> job.refs.put(k, refs.get(k)));
      job.declare(2);
      return job;
    }
  }

  static final class Job implements BuildJob {
    private final FakeFarm farm;
    private final BuildContext context;
    final Map<String, String> refs = new LinkedHashMap<>();
    private int attempt = 1;

    Job(FakeFarm farm, BuildContext context) {
      this.farm = farm;
      this.context = context;
    }

    void declare(int attemptNumber) {
      this.attempt = attemptNumber;
      List<TargetStatus> targets = new ArrayList<>();
      refs.keySet().forEach(k -> targets.add(TargetStatus.queued(k, Map.of()).withAttempt(attempt)));
      context.declareTargets(targets);
      context.schedule(this::poll, Duration.ZERO);
    }

    private void poll() {
      farm.polls.incrementAndGet();
      farm.pollsOf.computeIfAbsent(context.buildId(), id -> new AtomicInteger()).incrementAndGet();
      List<TargetStatus> now = new ArrayList<>();
      for (var e : refs.entrySet()) {
        TargetState state = farm.running
            ? TargetState.BUILDING
            : farm.outcomes.getOrDefault(e.getKey(), TargetState.SUCCEEDED);
        farm.remoteState.put(e.getValue(), state.name());
        now.add(new TargetStatus(e.getKey(), Map.of(), state, state.name().toLowerCase(),
            null, null, state.isFailure() ? "scripted failure" : null, Map.of(), attempt));
      }
      for (TargetStatus t : now) {
        context.update(t);
      }
      if (!context.isClosed()) {
        context.schedule(this::poll, farm.pollInterval);
      }
    }

    @Override
    public void cancel() {
      farm.remoteCancels.incrementAndGet();
      refs.values().forEach(ref -> farm.remoteState.put(ref, "cancelled"));
    }

    @Override
    public Map<String, Object> state() {
      return Map.of("refs", Map.copyOf(refs));
    }
  }
}
