package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.systemimage.KeyTool;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code image-builder submit} with a touch item, end to end: the wire format read from a file,
 * the systemimage backend chosen for it, the fake server's channel mirrored, the rootfs changed
 * by a command customizer, and a signed channel published.
 */
class SubmitTouchTest {
  @TempDir Path dir;

  @Test
  void aTouchItemIsBuiltAndPublishedThroughTheCommand() throws Exception {
    try (FakeSystemImageServer server = FakeSystemImageServer.demo()) {
      Path keys = dir.resolve("keys");
      assertThat(KeyTool.run(new String[] {keys.toString()}, "")).isZero();
      Path customizer = Files.writeString(dir.resolve("customize.sh"), """
          #!/bin/sh
          set -e
          mkdir -p "$IMAGEBUILDER_ROOTFS/etc"
          echo "installed: $IMAGEBUILDER_PACKAGES" > "$IMAGEBUILDER_ROOTFS/etc/custom-marker"
          """);
      Files.setPosixFilePermissions(customizer, PosixFilePermissions.fromString("rwx------"));
      Path requests = Files.writeString(dir.resolve("requests.json"), """
          [{"image_type": "touch", "system-image-server": "%s",
            "system-image-channel": "%s", "devices": ["%s"],
            "ppa_list": [], "package_list": ["hello"], "series": "focal",
            "target-channel": "ci/custom", "trigger": "q2"}]
          """.formatted(server.baseUri(), server.channel(), server.devices().get(0)));
      Path www = dir.resolve("www");

      CommandRunner.Run run = CommandRunner.run("submit", "--file", requests.toString(), "--wait",
          "--state", dir.resolve("state.json").toString(),
          "--config", "systemimage.publish-directory=" + www,
          "--config", "systemimage.keys-directory=" + keys,
          "--config", "systemimage.customizer=command",
          "--config", "systemimage.public-host=si.example.test",
          "--config", "systemimage.customizer-command=" + customizer);

      assertThat(run.exit()).as(run.toString()).isZero();
      assertThat(run.out()).contains("1 succeeded")
          // What the touch build made, in the summary: the channel and version to install.
          .contains("Outputs:").contains("    channel: ci/custom").contains("    version: 1");
      Path index = www.resolve("ci/custom").resolve(server.devices().get(0)).resolve("index.json");
      assertThat(index).exists();
      assertThat(Files.readString(www.resolve("channels.json"))).contains("\"ci/custom\"");
      assertThat(www.resolve("channels.json.asc")).exists();
      assertThat(Files.readString(index)).contains("\"version\": 1");
    }
  }
}
