package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.systemimage.support.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key chain KeyTool makes verifies link by link with gpgv, as a device's recovery checks it. */
class KeyToolTest {
  @TempDir Path dir;

  private Path keyringGpg(Path keys, String name) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    Trees.run(List.of("tar", "-xJf", keys.resolve("gpg/" + name + ".tar.xz").toString(), "-C", out.toString()));
    return out;
  }

  @Test
  void makesTheArchiveMasterImageMasterImageSigningChain() throws Exception {
    Path keys = TouchFixture.keys();
    Path archive = keyringGpg(keys, "archive-master");
    Path master = keyringGpg(keys, "image-master");
    Path signing = keyringGpg(keys, "image-signing");
    ObjectMapper json = new ObjectMapper();

    Trees.gpgv(archive.resolve("keyring.gpg"), keys.resolve("gpg/archive-master.tar.xz"));
    Trees.gpgv(archive.resolve("keyring.gpg"), keys.resolve("gpg/image-master.tar.xz"));
    Trees.gpgv(master.resolve("keyring.gpg"), keys.resolve("gpg/image-signing.tar.xz"));

    JsonNode signingJson = json.readTree(signing.resolve("keyring.json").toFile());
    assertThat(signingJson.get("type").asText()).isEqualTo("image-signing");
    assertThat(Instant.ofEpochSecond(signingJson.get("expiry").asLong()))
        .isBetween(Instant.now().plus(700, ChronoUnit.DAYS), Instant.now().plus(731, ChronoUnit.DAYS));
    assertThat(json.readTree(archive.resolve("keyring.json").toFile()).has("expiry")).isFalse();
    assertThat(json.readTree(master.resolve("keyring.json").toFile()).get("type").asText())
        .isEqualTo("image-master");
    // image-master does not sign itself: the chain must not be short-circuited.
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> Trees.gpgv(master.resolve("keyring.gpg"), keys.resolve("gpg/image-master.tar.xz")))
        .isInstanceOf(AssertionError.class);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("secret/image-signing.asc"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(keys.resolve("secret/image-signing.asc")))
        .startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----");
  }

  @Test
  void refusesToOverwriteKeysAndBadArguments() throws Exception {
    assertThat(KeyTool.run(new String[] {TouchFixture.keys().toString()}, null)).isEqualTo(1);
    assertThat(KeyTool.run(new String[] {}, null)).isEqualTo(2);
    assertThat(KeyTool.run(new String[] {dir.toString(), "--bits", "1024"}, null)).isEqualTo(2);
    assertThat(KeyTool.run(new String[] {dir.toString(), "--frobnicate"}, null)).isEqualTo(2);
  }
}
