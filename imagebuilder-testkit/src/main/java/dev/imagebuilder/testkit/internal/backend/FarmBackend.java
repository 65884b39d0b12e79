package dev.imagebuilder.testkit.internal.backend;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** One ImageBuilder's client of the farm. */
final class FarmBackend implements Backend {
  private final Farm farm;
  private final String name;

  FarmBackend(Farm farm, String name) {
    this.farm = farm;
    this.name = name;
  }

  @Override
  public void validate(ImageRequest request) {
    farm.plan(request);
  }

  @Override
  public Plan plan(ImageRequest request) {
    return new Plan(request, name, farm.plan(request), List.of());
  }

  @Override
  public BuildJob start(ImageRequest request, BuildContext context) {
    List<PlannedTarget> planned = farm.plan(request);
    FarmJob job = new FarmJob(farm, context, request);
    CountDownLatch hold = farm.currentHold();
    if (hold == null) {
      job.submit(planned);
      return job;
    }
    // Held: the build plans nothing until the test releases it, on a worker thread that dies
    // with its ImageBuilder, as a process killed before it planned anything.
    context.execute(() -> {
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (!context.isClosed()) {
        job.submit(planned);
      }
    });
    return job;
  }

  @Override
  public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
    FarmJob job = new FarmJob(farm, context, request);
    List<String> keys = keys(state.get("targets"), request);
    String id = state.get("build") instanceof String s ? s : null;
    if (id == null && "submit".equals(state.get("intent"))) {
      // The process stopped between recording its intent and recording the answer: ask the
      // farm whether the build was made, rather than guess.
      id = farm.buildOfClient(context.buildId()).orElse(null);
    }
    farm.recordResume(id, context.buildId(), request, keys);
    if (id == null) {
      List<TargetStatus> none = new ArrayList<>();
      for (String key : keys) {
        none.add(new TargetStatus(key, Map.of(), TargetState.FAILED_TO_BUILD, "not submitted",
            null, null, "the build was never submitted to the fake backend (its process stopped "
                + "before it did); retry submits it", Map.of(), 1));
      }
      job.orphaned(none);
      return job;
    }
    if (!farm.knows(id)) {
      throw new ImageBuildException("the ticket names build " + id + ", which the fake backend '"
          + name + "' does not have (was it made by another FakeBackend?)");
    }
    job.attach(id, keys);
    return job;
  }

  @Override
  public BuildJob retry(
      ImageRequest request, Map<String, Object> state, Set<String> targetKeys, BuildContext context) {
    FarmJob job = new FarmJob(farm, context, request);
    String id = state.get("build") instanceof String s ? s : null;
    if (id == null) {
      // Never submitted: the retry submits the targets asked for, as a new build.
      List<PlannedTarget> planned = farm.plan(request).stream()
          .filter(p -> targetKeys.contains(p.key())).toList();
      job.submit(planned);
      return job;
    }
    if (!farm.knows(id)) {
      throw new ImageBuildException("the build to retry, " + id + ", is not on the fake backend '"
          + name + "'");
    }
    job.retry(id, List.copyOf(targetKeys));
    return job;
  }

  private List<String> keys(Object recorded, ImageRequest request) {
    if (recorded instanceof List<?> list && !list.isEmpty()) {
      List<String> keys = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String key)) {
          throw new InvalidRequestException("ticket.state.targets", "'" + o + "' is not a target key");
        }
        keys.add(key);
      }
      return keys;
    }
    return farm.plan(request).stream().map(PlannedTarget::key).toList();
  }

  @Override
  public String toString() {
    return "FakeBackend[" + name + "]";
  }
}
