package dev.imagebuilder.launchpad.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {
  @TempDir Path dir;

  @Test
  void readsLaunchpadlibFormat() throws Exception {
    Path f = dir.resolve("creds");
    Files.writeString(f, "[1]\nconsumer_key = image-builder\nconsumer_secret = \naccess_token = TOKEN\naccess_secret = SECRET\n\n");
    Credentials c = CredentialsFile.read("launchpad.credentials-file", f);
    assertThat(c.consumerKey()).isEqualTo("image-builder");
    assertThat(c.accessToken()).isEqualTo("TOKEN");
    assertThat(c.accessSecret()).isEqualTo("SECRET");
  }

  @Test
  void missingSectionIsNamedWithTheFileButNoValue() throws Exception {
    Path f = dir.resolve("creds");
    Files.writeString(f, "[2]\nconsumer_key = k\naccess_token = TOKEN\naccess_secret = SECRET\n");
    assertThatThrownBy(() -> CredentialsFile.read("launchpad.credentials-file", f))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("launchpad.credentials-file")
        .hasMessageContaining(f.toString())
        .hasMessageContaining("no [1] section")
        .hasMessageNotContaining("SECRET").hasMessageNotContaining("TOKEN");
  }

  @Test
  void missingKeyIsNamed() throws Exception {
    Path f = dir.resolve("creds");
    Files.writeString(f, "[1]\nconsumer_key = k\naccess_token = TOKEN\n");
    assertThatThrownBy(() -> CredentialsFile.read("launchpad.credentials-file", f))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no access_secret in section [1]")
        .hasMessageNotContaining("TOKEN");
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nope");
    assertThatThrownBy(() -> CredentialsFile.read("launchpad.credentials-file", f))
        .hasMessageContaining("does not exist").hasMessageContaining(f.toString());
  }

  @Test
  void writesMode0600ThatReadsBack() throws Exception {
    Path f = dir.resolve("sub/creds");
    CredentialsFile.write(f, new Credentials("app", "A", "B"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(Files.readString(f)).startsWith("[1]\nconsumer_key = app\nconsumer_secret = \naccess_token = A\naccess_secret = B\n");
    assertThat(CredentialsFile.read("x", f)).isEqualTo(new Credentials("app", "A", "B"));
  }
}
