package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.BuildTimeoutException;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ImageBuilder closed while a backend is still starting a build. */
class CloseDuringStartTest {
  @TempDir Path state;

  /** Schedules its first poll, then waits (as a slow remote submission would) until released. */
  private static final class SlowStart implements BackendProvider, Backend {
    final CountDownLatch starting = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public String name() {
      return "slow";
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
      context.declareTargets(List.of(TargetStatus.queued("only", Map.of())));
      context.schedule(() -> {}, Duration.ofHours(1));
      starting.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new BuildJob() {
        @Override
        public void cancel() {}

        @Override
        public Map<String, Object> state() {
          return Map.of();
        }
      };
    }

    @Override
    public BuildJob resume(ImageRequest request, Map<String, Object> s, BuildContext context) {
      throw new UnsupportedOperationException();
    }

    @Override
    public BuildJob retry(ImageRequest r, Map<String, Object> s, Set<String> k, BuildContext c) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void aBuildStillStartingWhenTheBuilderClosesEndsInsteadOfWaitingForever() throws Exception {
    SlowStart backend = new SlowStart();
    ImageBuilder builder = ImageBuilder.newBuilder()
        .discoverBackends(false)
        .stateDirectory(state)
        .backend(backend)
        .build();
    CompletableFuture<BuildHandle> submitted = CompletableFuture.supplyAsync(() -> builder.submit(
        ImageRequest.cloud().image("https://cloud-images.example.org/base.img").series("jammy").build()));
    assertThat(backend.starting.await(10, TimeUnit.SECONDS)).isTrue();

    builder.close();
    backend.release.countDown();
    BuildHandle h = submitted.get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> h.await(Duration.ofSeconds(5)))
        .isNotInstanceOf(BuildTimeoutException.class)
        .isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("was closed");
    assertThat(h.status()).isEqualTo(BuildStatus.ERROR);
  }
}
