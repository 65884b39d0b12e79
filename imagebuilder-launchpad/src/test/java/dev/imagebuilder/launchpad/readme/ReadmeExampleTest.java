package dev.imagebuilder.launchpad.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.FakeLaunchpadExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's "Testing with the fakes" example, as written there: keep the two in step. */
@ExtendWith(FakeLaunchpadExtension.class)
@Timeout(30)
class ReadmeExampleTest {
  @Test
  void rebuildsRedis(FakeLaunchpad launchpad, ImageBuilder builder) {
    launchpad.addRecipe("me", "my-project", "redis", "redis-24.04", "24.04").processors("amd64");
    BuildHandle h = builder.submit(ImageRequest.oci().images("redis").build());
    Await.until("the build request", () -> launchpad.operationCount("requestBuilds") == 1);
    launchpad.advancePhases(6);            // the fake build farm runs on the test's clock
    assertThat(h.await().succeeded()).isTrue();
  }
}
