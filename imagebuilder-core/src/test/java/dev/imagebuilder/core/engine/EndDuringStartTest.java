package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build whose tracking fails while its backend is still starting it. */
class EndDuringStartTest {
  @TempDir Path state;

  /** Reports a failure from inside start, as a backend whose first check fails at once does. */
  private static final class FailingWhileStarting implements BackendProvider, Backend {
    @Override
    public String name() {
      return "failing";
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
      context.fail(new ImageBuildException("the service refused the credentials"));
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
  void listenersHearTheSubmissionBeforeTheEndItHad() throws InterruptedException {
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    try (ImageBuilder builder = ImageBuilder.newBuilder()
        .discoverBackends(false)
        .stateDirectory(state)
        .backend(new FailingWhileStarting())
        .listener(e -> {
          events.add(e);
          if (e instanceof BuildEvent.Completed) {
            ended.countDown();
          }
        })
        .build()) {
      BuildHandle h = builder.submit(
          ImageRequest.cloud().image("https://cloud-images.example.org/base.img").series("jammy").build());

      assertThatThrownBy(() -> h.await(Duration.ofSeconds(10)))
          .isInstanceOf(ImageBuildException.class)
          .hasMessageContaining("refused the credentials");
      assertThat(h.status()).isEqualTo(BuildStatus.ERROR);
      assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
      // Completed is the last event, and there is one of it.
      assertThat(events).extracting(e -> e.getClass().getSimpleName())
          .containsExactly("Submitted", "Completed");
      assertThat(((BuildEvent.Completed) events.get(1)).status()).isEqualTo(BuildStatus.ERROR);
    }
  }
}
