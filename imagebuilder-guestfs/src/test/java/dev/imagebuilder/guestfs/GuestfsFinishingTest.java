package dev.imagebuilder.guestfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sealing the image: apt's lists and cache cleaned by the same virt-customize run, an optional
 * {@code virt-sparsify --in-place}, and qcow2 written compressed with {@code qemu-img convert -c}.
 */
class GuestfsFinishingTest {
  @TempDir Path tmp;
  GuestfsFixture fixture;
  FakeTools tools;
  Path baseImage;
  Map<String, String> config;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new GuestfsFixture(tmp, "jammy.img");
    tools = fixture.tools;
    baseImage = fixture.baseImage;
    config = fixture.config;
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  TargetStatus build() {
    return fixture.builder().submit(ImageRequest.cloud().image(baseImage.toUri()).series("jammy").packages("hello")
        .build()).await(Duration.ofSeconds(30)).targets().get(0);
  }

  @Test
  void byDefaultAptIsCleanedLastAndTheQcow2IsWrittenCompressed() throws Exception {
    TargetStatus target = build();

    assertThat(target.state()).as(target.toString()).isEqualTo(TargetState.SUCCEEDED);
    List<String> args = tools.recordedArguments();
    assertThat(args.get(args.size() - 2)).isEqualTo("--run-command");
    assertThat(args.get(args.size() - 1)).contains("apt-get clean").contains("rm -rf /var/lib/apt/lists/*");
    List<String> calls = tools.qemuImgCalls();
    assertThat(calls.get(calls.size() - 1)).startsWith("convert -c -f qcow2 -O qcow2 ");
    assertThat(Files.readString(Path.of(target.outputs().get("path")))).endsWith("customized");
    assertThat(tools.ran()).isTrue();
    assertThat(Files.exists(tools.dir.resolve("sparsify-args"))).as("sparsify is off by default").isFalse();
  }

  @Test
  void eachStepCanBeTurnedOff() throws Exception {
    config.put("guestfs.clean-apt", "false");
    config.put("guestfs.compress", "false");

    assertThat(build().state()).isEqualTo(TargetState.SUCCEEDED);

    assertThat(tools.recordedArguments()).doesNotContain("--run-command");
    assertThat(tools.qemuImgCalls()).noneMatch(c -> c.contains("-c "));
  }

  @Test
  void rawOutputIsNeverCompressed() throws Exception {
    config.put("guestfs.output-format", "raw");

    assertThat(build().state()).isEqualTo(TargetState.SUCCEEDED);

    assertThat(tools.qemuImgCalls()).noneMatch(c -> c.contains("-c "));
  }

  @Test
  void sparsifyRunsInPlaceWithTheBackendSettingsBeforeCompression() throws Exception {
    config.put("guestfs.sparsify", "true");
    config.put("guestfs.virt-sparsify", tools.virtSparsify(0).toString());
    config.put("guestfs.backend-settings", "force_tcg");

    TargetStatus target = build();

    assertThat(target.state()).as(target.toString()).isEqualTo(TargetState.SUCCEEDED);
    List<String> args = Files.readAllLines(tools.dir.resolve("sparsify-args"));
    assertThat(args).startsWith("--format", "qcow2", "--in-place");
    assertThat(Path.of(args.get(3)).getFileName().toString()).isEqualTo("disk.qcow2");
    assertThat(Files.readString(tools.dir.resolve("sparsify-env"))).contains("LIBGUESTFS_BACKEND_SETTINGS=force_tcg");
  }

  @Test
  void aFailedSparsifyFailsTheBuildAndLeavesNothing() throws Exception {
    config.put("guestfs.sparsify", "yes");
    config.put("guestfs.virt-sparsify", tools.virtSparsify(1).toString());

    TargetStatus target = build();

    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).contains("virt-sparsify failed");
    try (var files = Files.list(tmp.resolve("out"))) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void aBadSwitchIsRejectedAtSubmitNamingTheKey() {
    config.put("guestfs.compress", "maybe");
    ImageBuilder builder = fixture.builder();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.submit(ImageRequest.cloud()
            .image(baseImage.toUri()).series("jammy").build()))
        .hasMessage("imagebuilder.guestfs.compress: 'maybe' is not true or false");
    assertThat(tools.ran()).isFalse();
  }
}
