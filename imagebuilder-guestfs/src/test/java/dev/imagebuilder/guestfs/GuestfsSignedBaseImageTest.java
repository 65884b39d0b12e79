package dev.imagebuilder.guestfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code SHA256SUMS.gpg} beside the base image, checked with the real {@code gpgv} against the
 * configured keyring ({@code base-keyring}); signatures are made with the real {@code gpg} and
 * the test key, so a good one, another key's, a changed {@code SHA256SUMS} and a missing one are
 * each what they claim to be.
 */
class GuestfsSignedBaseImageTest {
  static final String FINGERPRINT_FILE = "test-ppa-key.fingerprint";

  @TempDir Path tmp;
  GuestfsFixture fixture;
  FakeTools tools;
  Path images;
  Path baseImage;
  Path keyring;
  Map<String, String> config;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new GuestfsFixture(tmp, "noble-server-cloudimg-amd64.img");
    tools = fixture.tools;
    images = fixture.images;
    baseImage = fixture.baseImage;
    config = fixture.config;
    keyring = FakeTools.resourceFile("test-ppa-key.gpg", tmp.resolve("keyring.gpg"));
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  TargetStatus build() {
    BuildResult result = fixture.builder().submit(ImageRequest.cloud().image(baseImage.toUri()).series("noble")
        .build()).await(Duration.ofSeconds(30));
    return result.targets().get(0);
  }

  @Test
  void aGoodSignatureByTheConfiguredKeyringIsRecorded() throws Exception {
    writeSums();
    sign("test-secret-key.asc");
    config.put("guestfs.base-keyring", keyring.toString());
    config.put("guestfs.require-signature", "true");

    TargetStatus target = build();

    assertThat(target.state()).as(target.toString()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(target.outputs())
        .containsEntry("base-signature", "signed by " + FakeTools.resourceText(FINGERPRINT_FILE))
        .containsEntry("base-checksum-source", baseImage.toUri().resolve("SHA256SUMS").toString());
  }

  @Test
  void aSignatureByAnotherKeyFailsTheBuildBeforeAnythingIsCustomized() throws Exception {
    writeSums();
    Path other = otherSecretKey();
    sign(other);
    config.put("guestfs.base-keyring", keyring.toString());

    TargetStatus target = build();

    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).contains("does not verify").contains("not in the keyring");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void aChangedSha256SumsFailsTheBuild() throws Exception {
    writeSums();
    sign("test-secret-key.asc");
    Files.writeString(images.resolve("SHA256SUMS"), "0".repeat(64) + " *other.img\n", java.nio.file.StandardOpenOption.APPEND);
    config.put("guestfs.base-keyring", keyring.toString());

    TargetStatus target = build();

    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).contains("bad signature");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void withoutAKeyringASignatureIsNotCheckedUnlessRequired() throws Exception {
    writeSums();
    sign("test-secret-key.asc");

    TargetStatus relaxed = build();
    assertThat(relaxed.state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(relaxed.outputs()).containsEntry("base-signature", "unsigned");

    config.put("guestfs.require-signature", "true");
    TargetStatus strict = build();
    assertThat(strict.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(strict.errorSummary()).contains("not signed as required").contains("base-keyring");
  }

  @Test
  void requiringASignatureRefusesAnUnsignedBase() throws Exception {
    config.put("guestfs.base-keyring", keyring.toString());
    config.put("guestfs.require-signature", "true");

    TargetStatus noSums = build();
    assertThat(noSums.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(noSums.errorSummary()).contains("not signed as required").contains("no SHA256SUMS");

    writeSums();
    TargetStatus noSignature = build();
    assertThat(noSignature.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(noSignature.errorSummary()).contains("no SHA256SUMS.gpg");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void aSignedSha256SumsThatDoesNotListTheImageDoesNotCoverIt() throws Exception {
    Files.writeString(images.resolve("SHA256SUMS"), "0".repeat(64) + " *other.img\n");
    sign("test-secret-key.asc");
    config.put("guestfs.base-keyring", keyring.toString());

    TargetStatus relaxed = build();
    assertThat(relaxed.state()).as(relaxed.toString()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(relaxed.outputs()).containsEntry("base-signature", "unsigned")
        .containsEntry("base-checksum-source", "computed");

    config.put("guestfs.require-signature", "true");
    TargetStatus strict = build();
    assertThat(strict.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(strict.errorSummary()).contains("not signed as required")
        .contains("lists no " + baseImage.getFileName());
  }

  @Test
  void aKeyringThatIsNotAFileIsRejectedAtSubmit() {
    config.put("guestfs.base-keyring", tmp.resolve("absent.gpg").toString());
    ImageBuilder builder = fixture.builder();

    assertThatThrownBy(() -> builder.submit(ImageRequest.cloud().image(baseImage.toUri()).series("noble").build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.guestfs.base-keyring")
        .hasMessageContaining("absent.gpg");
  }

  private void writeSums() throws Exception {
    Files.writeString(images.resolve("SHA256SUMS"),
        GuestfsBackendTest.sha256(Files.readAllBytes(baseImage)) + " *" + baseImage.getFileName() + "\n");
  }

  private void sign(String secretKeyResource) throws Exception {
    sign(FakeTools.resourceFile(secretKeyResource, tmp.resolve("secret.asc")));
  }

  /** {@code gpg --detach-sign} with a throwaway home holding only {@code secretKey}. */
  private void sign(Path secretKey) throws Exception {
    Path home = Files.createTempDirectory(tmp, "gnupg");
    gpg(home, "--import", secretKey.toString());
    gpg(home, "--output", images.resolve("SHA256SUMS.gpg").toString(), "--detach-sign",
        images.resolve("SHA256SUMS").toString());
  }

  /** A second key, made now, for "signed by a key the keyring does not hold". */
  private Path otherSecretKey() throws Exception {
    Path home = Files.createTempDirectory(tmp, "gnupg-other");
    gpg(home, "--passphrase", "", "--quick-gen-key", "other <other@imagebuilder.invalid>", "ed25519", "sign", "never");
    Path out = tmp.resolve("other-secret.asc");
    gpg(home, "--armor", "--output", out.toString(), "--export-secret-keys");
    return out;
  }

  private static void gpg(Path home, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("gpg", "--batch", "--quiet",
        "--pinentry-mode", "loopback", "--homedir", home.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("gpg " + String.join(" ", args) + " failed: " + out);
    }
  }
}
