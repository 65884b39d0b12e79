package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.systemimage.support.Trees;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PPAs' apt files in a published rootfs, as apt in the image will read them. */
class TouchPpaSourcesTest {
  @TempDir Path work;

  @Test
  void aPpaWithAPlusInItsNameGetsSourcesAndKeyringFilesAptReads() throws Exception {
    // Regression: the file was imagebuilder-team-ubuntu-tools+extra.sources, which apt skips
    // without a word (only letters, digits, '_', '-', '.' and ':' are read), losing the PPA.
    Path publish = work.resolve("www");
    Map<String, String> config = TouchFixture.config(work, publish);
    try (FakeSystemImageServer remote = FakeSystemImageServer.builder().devices("FP4").build().start();
        ImageBuilder builder = TouchFixture.builder(work, config)) {
      BuildResult result = builder.submit(ImageRequest.touch().systemImageServer(remote.baseUri())
          .channel(remote.channel()).series("focal").ppas("ppa:team/tools+extra")
          .targetChannel("plus").build()).await(Duration.ofMinutes(2));
      assertThat(result.succeeded()).as("%s", result.targets()).isTrue();
    }

    Path rootfs = rootfs(publish.resolve("plus/FP4/index.json"), publish);
    List<String> apt = Trees.tarList(rootfs).stream().filter(e -> e.startsWith("system/etc/apt/")).toList();
    assertThat(apt).contains("system/etc/apt/sources.list.d/team-ubuntu-tools_extra-focal.sources",
        "system/etc/apt/keyrings/team-ubuntu-tools_extra.gpg");
    assertThat(apt).allSatisfy(e -> assertThat(e.substring(e.lastIndexOf('/') + 1)).matches("[A-Za-z0-9_:.-]*"));
    // What the customizer was given (the fixture's script copies each sources file to its marker).
    assertThat(Trees.tarMember(rootfs, "system/etc/imagebuilder-marker"))
        .contains("ppas=ppa:team/tools+extra",
            "URIs: http://127.0.0.1:9/ppa/team/tools+extra/ubuntu",
            "Signed-By: /etc/apt/keyrings/team-ubuntu-tools_extra.gpg");
    // The keyring is the configured key (as gpg reads both), binary, as every apt that reads
    // deb822 files takes it.
    Path keyring = work.resolve("keyring.gpg");
    Trees.run(List.of("sh", "-c", "tar -xJOf '" + rootfs + "' system/etc/apt/keyrings/team-ubuntu-tools_extra.gpg > '"
        + keyring + "'"));
    assertThat(Files.readAllBytes(keyring)[0] & 0x80).as("binary, not armored").isNotZero();
    assertThat(fingerprints(keyring)).isNotEmpty()
        .isEqualTo(fingerprints(Path.of(config.get("systemimage.ppa-key-file"))));
  }

  private List<String> fingerprints(Path keys) throws Exception {
    Path home = Files.createDirectories(work.resolve("gnupg"));
    Files.setAttribute(home, "unix:mode", 0700);
    return Trees.run(List.of("gpg", "--homedir", home.toString(), "--batch", "--show-keys",
            "--with-colons", keys.toString())).lines()
        .filter(l -> l.startsWith("fpr:")).toList();
  }

  private static Path rootfs(Path index, Path publish) throws Exception {
    for (JsonNode f : new ObjectMapper().readTree(index.toFile()).at("/images/0/files")) {
      String path = f.get("path").asText();
      if (path.substring(path.lastIndexOf('/') + 1).startsWith("ubports-")) {
        return publish.resolve(path.substring(1));
      }
    }
    throw new AssertionError("no rootfs in " + index);
  }
}
