package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.support.LoopbackFiles;
import dev.imagebuilder.systemimage.support.SystemTests;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.systemimage.support.Trees;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real chroot customizer on a real minimal Debian rootfs: apt-get in a chroot installs a
 * package from a signed "PPA" (a local apt repository laid out like one, served on loopback,
 * added through the same code path as a Launchpad PPA) and its dependency from Debian; the
 * published rootfs tarball really contains them.
 */
class ChrootCustomizerSystemTest {
  private static final Path DATA = Path.of("/var/cache/imagebuilder-test/systemimage");

  @TempDir Path work;

  @Test
  void installsAPackageFromAPpaIntoThePublishedRootfs() throws Exception {
    TouchFixture.requireRoot();
    SystemTests.require(Files.isRegularFile(DATA.resolve("rootfs-system.tar.xz"))
        && Files.isRegularFile(DATA.resolve("ppa-key.asc")),
        "run .ci/setup.d/systemimage.sh first (it makes " + DATA + ")");

    HttpServer ppa = LoopbackFiles.serve(DATA.resolve("ppa-root"));
    Path publish = work.resolve("www");
    Map<String, String> config = TouchFixture.chrootConfig(work, publish, DATA, ppa.getAddress().getPort());
    List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
    try (FakeSystemImageServer remote = FakeSystemImageServer.builder().devices("FP4")
            .series("bookworm").rootfsTarball(DATA.resolve("rootfs-system.tar.xz")).build().start();
        ImageBuilder builder = TouchFixture.builder(work, config, events::add)) {
      TouchImageRequest request = ImageRequest.touch().systemImageServer(remote.baseUri())
          .channel(remote.channel()).series("bookworm").ppas("ppa:test-owner/test-ppa")
          .packages("imagebuilder-ppa-marker").targetChannel("debian-test").build();

      BuildResult result = builder.submit(request).await(Duration.ofMinutes(10));

      assertThat(result.targets().get(0).state()).as("%s", result.targets())
          .isEqualTo(TargetState.SUCCEEDED);
    } finally {
      ppa.stop(0);
    }
    JsonNode index = new ObjectMapper().readTree(publish.resolve("debian-test/FP4/index.json").toFile());
    Path rootfs = null;
    for (JsonNode f : index.at("/images/0/files")) {
      if (f.get("path").asText().startsWith("/pool/ubports-")) {
        rootfs = publish.resolve(f.get("path").asText().substring(1));
      }
    }
    assertThat(rootfs).isNotNull();
    String status = Trees.tarMember(rootfs, "system/var/lib/dpkg/status");
    assertThat(status).contains("Package: imagebuilder-ppa-marker\nStatus: install ok installed")
        .contains("Package: hello\nStatus: install ok installed");
    List<String> entries = Trees.tarList(rootfs);
    assertThat(entries).contains("system/usr/bin/hello",
        "system/usr/share/imagebuilder-ppa-marker/marker",
        "system/etc/apt/sources.list.d/test-owner-ubuntu-test-ppa-bookworm.sources")
        .doesNotContain("system/usr/sbin/policy-rc.d", "system/etc/resolv.conf.imagebuilder-saved");
    // Device nodes and ownership survived the unpack and repack.
    assertThat(Trees.run(List.of("tar", "-tvJf", rootfs.toString())))
        .containsPattern("crw-rw-rw- 0/0 +1,3 .* system/dev/null");
    // The chroot's /proc is unmounted again.
    assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(work.toString());
    assertThat(events).anyMatch(e -> e instanceof BuildEvent.LogLine l
        && l.line().contains("Setting up hello"));
  }
}
