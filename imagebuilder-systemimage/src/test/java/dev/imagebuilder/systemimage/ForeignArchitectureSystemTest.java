package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.support.LoopbackFiles;
import dev.imagebuilder.systemimage.support.SystemTests;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.systemimage.support.Trees;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real touch rootfs are arm64 (or armhf). The chroot customizer on an arm64 Debian rootfs, on an
 * amd64 host: apt and dpkg in the chroot are arm64 binaries run through qemu-user-static and
 * binfmt_misc, and the installed package's maintainer script records the machine it ran on.
 */
class ForeignArchitectureSystemTest {
  private static final Path DATA = Path.of("/var/cache/imagebuilder-test/systemimage-arm64");

  @TempDir Path work;

  @Test
  void customizesAnArm64RootfsInAChrootThroughQemu() throws Exception {
    TouchFixture.requireRoot();
    SystemTests.require(Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64")),
        "no binfmt_misc handler for arm64 (install qemu-user-static and binfmt-support:"
            + " .ci/setup.d/systemimage-arm64.sh)");
    SystemTests.require(Files.isRegularFile(DATA.resolve("rootfs-arm64-system.tar.xz"))
        && Files.isRegularFile(DATA.resolve("ppa-key.asc")),
        "run .ci/setup.d/systemimage-arm64.sh first (it makes " + DATA + ")");

    HttpServer ppa = LoopbackFiles.serve(DATA.resolve("ppa-root"));
    Path publish = work.resolve("www");
    Map<String, String> config = TouchFixture.chrootConfig(work, publish, DATA, ppa.getAddress().getPort());
    try (FakeSystemImageServer remote = FakeSystemImageServer.builder().devices("FP4")
            .series("bookworm").rootfsTarball(DATA.resolve("rootfs-arm64-system.tar.xz")).build().start();
        ImageBuilder builder = TouchFixture.builder(work, config)) {
      BuildResult result = builder.submit(ImageRequest.touch().systemImageServer(remote.baseUri())
          .channel(remote.channel()).series("bookworm").ppas("ppa:test-owner/arm64-ppa")
          .packages("imagebuilder-arch-marker").targetChannel("arm64-test").build())
          .await(Duration.ofMinutes(20));

      assertThat(result.targets().get(0).state()).as("%s", result.targets())
          .isEqualTo(TargetState.SUCCEEDED);
    } finally {
      ppa.stop(0);
    }
    JsonNode index = new ObjectMapper().readTree(publish.resolve("arm64-test/FP4/index.json").toFile());
    Path rootfs = publish.resolve(index.at("/images/0/files/0/path").asText().substring(1));
    assertThat(Trees.tarMember(rootfs, "system/etc/imagebuilder-arch-marker")).isEqualTo("aarch64\n");
    assertThat(Trees.tarMember(rootfs, "system/var/lib/dpkg/status"))
        .contains("Package: imagebuilder-arch-marker\nStatus: install ok installed")
        .contains("Architecture: arm64");
    assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(work.toString());
  }
}
