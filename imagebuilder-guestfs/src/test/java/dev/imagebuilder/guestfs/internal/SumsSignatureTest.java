package dev.imagebuilder.guestfs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which keyring a base image's SHA256SUMS.gpg is checked with. */
class SumsSignatureTest {
  @TempDir Path tmp;
  static final URI UBUNTU = URI.create("https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img");
  static final URI ELSEWHERE = URI.create("https://images.example.org/jammy.img");

  SumsSignature signature(Optional<Path> configured, Path ubuntuDefault, boolean required) {
    return new SumsSignature(configured, ubuntuDefault, required, "gpgv", null);
  }

  @Test
  void ubuntuCloudImagesUseUbuntusKeyringWhenTheHostHasIt() throws Exception {
    Path ubuntu = Files.write(tmp.resolve("ubuntu-cloudimage-keyring.gpg"), new byte[] {1});

    assertThat(signature(Optional.empty(), ubuntu, false).keyringFor(UBUNTU)).contains(ubuntu);
    assertThat(signature(Optional.empty(), ubuntu, false).keyringFor(ELSEWHERE)).isEmpty();
    assertThat(signature(Optional.empty(), tmp.resolve("absent.gpg"), false).keyringFor(UBUNTU)).isEmpty();
  }

  @Test
  void aConfiguredKeyringAppliesToEveryImage() throws Exception {
    Path mine = Files.write(tmp.resolve("mine.gpg"), new byte[] {1});
    Path ubuntu = Files.write(tmp.resolve("ubuntu.gpg"), new byte[] {1});

    assertThat(signature(Optional.of(mine), ubuntu, false).keyringFor(UBUNTU)).contains(mine);
    assertThat(signature(Optional.of(mine), ubuntu, false).keyringFor(ELSEWHERE)).contains(mine);
  }

  @Test
  void thePlanSaysWhatWouldBeChecked() throws Exception {
    Path ubuntu = Files.write(tmp.resolve("ubuntu.gpg"), new byte[] {1});

    assertThat(signature(Optional.empty(), ubuntu, true).describe(UBUNTU))
        .isEqualTo("SHA256SUMS.gpg checked with " + ubuntu + " (required)");
    assertThat(signature(Optional.empty(), ubuntu, false).describe(ELSEWHERE))
        .contains("not signature-checked");
    assertThat(signature(Optional.empty(), ubuntu, true).describe(ELSEWHERE))
        .contains("would be refused");
  }
}
