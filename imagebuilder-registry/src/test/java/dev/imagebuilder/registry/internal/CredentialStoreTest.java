package dev.imagebuilder.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {
  @TempDir
  Path tmp;

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void filesAreReadInTheOrderOfContainersAuthThenDocker() {
    Path home = tmp.resolve("home");
    List<Path> files = CredentialStore.defaultFiles(Map.of("REGISTRY_AUTH_FILE", "/a/auth.json",
        "XDG_RUNTIME_DIR", "/run/user/1000"), home);
    assertThat(files).containsExactly(Path.of("/a/auth.json"), Path.of("/run/user/1000/containers/auth.json"),
        home.resolve(".config/containers/auth.json"), home.resolve(".docker/config.json"));
  }

  @Test
  void theFirstFileWithAnEntryWinsAndTheMostSpecificKeyWithin() throws Exception {
    Path first = tmp.resolve("first.json");
    Path docker = tmp.resolve("config.json");
    Files.writeString(first, "{\"auths\": {\"reg.example:5000\": {\"auth\": \"" + b64("host:h") + "\"},"
        + " \"reg.example:5000/ubuntu\": {\"auth\": \"" + b64("ns:n") + "\"}}}");
    Files.writeString(docker, "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" + b64("hub:x") + "\"},"
        + " \"reg.example:5000\": {\"auth\": \"" + b64("late:l") + "\"}}}");
    CredentialStore s = new CredentialStore(Map.of(), List.of(tmp.resolve("missing.json"), first, docker), List.of());

    assertThat(s.lookup("reg.example:5000", "ubuntu/redis").orElseThrow().username()).isEqualTo("ns");
    assertThat(s.lookup("reg.example:5000", "other/redis").orElseThrow().username()).isEqualTo("host");
    assertThat(s.lookup("index.docker.io", "library/redis").orElseThrow().username()).isEqualTo("hub");
    assertThat(s.lookup("elsewhere.example", "x")).isEmpty();
    // Docker Hub's API host finds docker's key for it.
    assertThat(s.lookup("registry-1.docker.io", "ubuntu/redis").orElseThrow().username()).isEqualTo("hub");
  }

  @Test
  void credentialHelpersGetTheServerOnStdinAndCredHelpersBeatAuths() throws Exception {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path helper = bin.resolve("docker-credential-test");
    // Echoes the server it was asked about back as the user name; fails for unknown servers.
    Files.writeString(helper, "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread -r server\n"
        + "case \"$server\" in reg.example*) ;; *) echo 'credentials not found in native keychain'; exit 1;; esac\n"
        + "printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"helper-secret\"}' \"$server\" \"$server\"\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
    Path config = tmp.resolve("config.json");
    Files.writeString(config, "{\"auths\": {\"reg.example:5000\": {\"auth\": \"" + b64("base64:b") + "\"}},"
        + " \"credHelpers\": {\"reg.example:5000\": \"test\"}, \"credsStore\": \"test\"}");
    CredentialStore s = new CredentialStore(Map.of(), List.of(config), List.of(bin));

    Credential c = s.lookup("reg.example:5000", "ubuntu/redis").orElseThrow();
    assertThat(c.username()).isEqualTo("reg.example:5000");
    assertThat(c.secret()).isEqualTo("helper-secret");
    assertThat(c.toString()).doesNotContain("helper-secret");
    // credsStore for a host without an entry; the helper's "not found" means anonymous.
    assertThat(s.lookup("other.example", "x")).isEmpty();
  }

  @Test
  void aBrokenFileIsNamedWithoutQuotingIt() throws Exception {
    Path bad = tmp.resolve("auth.json");
    Files.writeString(bad, "{\"auths\": {\"reg.example\": {\"auth\": \"c2VjcmV0LXZhbHVl\"");
    CredentialStore s = new CredentialStore(Map.of(), List.of(bad), List.of());
    assertThatThrownBy(() -> s.lookup("reg.example", "x"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageNotContaining("c2VjcmV0LXZhbHVl");
  }
}
