package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build whose tracking fails while its backend is still starting it. */
class EndDuringStartTest {
  @TempDir Path state;

  @Test
  void listenersHearTheSubmissionBeforeTheEndItHad() throws InterruptedException {
    // As a backend whose first check fails at once reports it: from inside start.
    StartHookBackend failing = new StartHookBackend(context -> {
      context.declareTargets(List.of(TargetStatus.queued("only", Map.of())));
      context.fail(new ImageBuildException("the service refused the credentials"));
    });
    List<BuildEvent> events = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    try (ImageBuilder builder = ImageBuilder.newBuilder()
        .discoverBackends(false)
        .stateDirectory(state)
        .backend(failing)
        .listener(e -> {
          events.add(e);
          if (e instanceof BuildEvent.Completed) {
            ended.countDown();
          }
        })
        .build()) {
      BuildHandle h = builder.submit(StartHookBackend.request());

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
