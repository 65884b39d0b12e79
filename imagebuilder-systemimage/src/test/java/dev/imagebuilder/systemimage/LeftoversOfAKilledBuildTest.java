package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a touch build killed mid-way leaves (its work area with a half-built rootfs, a
 * publication's staged files) is removed by the next build in the same places, once its process
 * is gone; nothing else is.
 */
class LeftoversOfAKilledBuildTest {
  @TempDir Path work;

  /** A directory as {@code kill -9} leaves it: made by a build whose process (and lock) is gone. */
  static Path leftBehind(WorkDirectory dir) throws Exception {
    Files.write(dir.path().resolve("half-built.tar.xz"), new byte[1 << 16]);
    dir.keep();
    return dir.path();
  }

  @Test
  void theNextBuildRemovesTheWorkAreaAndStagingOfAKilledOne() throws Exception {
    Path www = work.resolve("www");
    Map<String, String> config = TouchFixture.config(work, www);
    Path workAreas = Path.of(config.get("systemimage.work-directory"));
    Path killedWork = leftBehind(WorkDirectory.claim(workAreas.resolve("b-killed"), line -> { }));
    Path killedStaging = leftBehind(WorkDirectory.create(www.resolve(".imagebuilder-staging"), "b-killed-FP4-", line -> { }));
    Path notOurs = Files.createDirectories(workAreas.resolve("made-by-hand"));

    try (FakeSystemImageServer remote = FakeSystemImageServer.builder().devices("FP4").build().start();
        ImageBuilder b = TouchFixture.builder(work, config)) {
      BuildResult r = b.submit(ImageRequest.touch().systemImageServer(remote.baseUri())
          .channel(remote.channel()).series("focal").packages("hello").targetChannel("t").build())
          .await(Duration.ofMinutes(2));
      assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
    }

    assertThat(killedWork).doesNotExist();
    assertThat(killedStaging).doesNotExist();
    assertThat(notOurs).as("no owner lock: not ours to judge").exists();
    try (var left = Files.list(workAreas)) {
      assertThat(left).as("the build's own work area is gone too").containsExactly(notOurs);
    }
  }
}
