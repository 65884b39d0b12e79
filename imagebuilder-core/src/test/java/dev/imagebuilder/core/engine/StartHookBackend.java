package dev.imagebuilder.core.engine;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A cloud backend whose start runs a given hook (to report, schedule or wait from inside
 * {@code Backend.start}) and then returns a job that does nothing: for the races at a start.
 */
final class StartHookBackend implements BackendProvider, Backend {
  private final Consumer<BuildContext> duringStart;
  private final Runnable remoteCancel;

  StartHookBackend(Consumer<BuildContext> duringStart) {
    this(duringStart, () -> {});
  }

  /** @param remoteCancel what the job's cancel does */
  StartHookBackend(Consumer<BuildContext> duringStart, Runnable remoteCancel) {
    this.duringStart = duringStart;
    this.remoteCancel = remoteCancel;
  }

  @Override
  public String name() {
    return "hook";
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return requestType == CloudImageRequest.class;
  }

  @Override
  public Backend create(BackendContext context) {
    return this;
  }

  @Override
  public Plan plan(ImageRequest request) {
    return new Plan(request, name(), List.of(), List.of());
  }

  @Override
  public BuildJob start(ImageRequest request, BuildContext context) {
    duringStart.accept(context);
    return new BuildJob() {
      @Override
      public void cancel() {
        remoteCancel.run();
      }

      @Override
      public Map<String, Object> state() {
        return Map.of();
      }
    };
  }

  @Override
  public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
    throw new UnsupportedOperationException("not resumable");
  }

  @Override
  public BuildJob retry(ImageRequest r, Map<String, Object> s, Set<String> keys, BuildContext c) {
    throw new UnsupportedOperationException("not retryable");
  }

  static CloudImageRequest request() {
    return ImageRequest.cloud().image("https://cloud-images.example.org/base.img").series("jammy").build();
  }
}
