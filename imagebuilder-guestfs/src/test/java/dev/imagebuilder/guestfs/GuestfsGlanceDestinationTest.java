package dev.imagebuilder.guestfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.testkit.FakeOpenStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination {@code glance:NAME}: the built image goes to Glance (a loopback fake of
 * Keystone and Glance), the target's outputs carry its id and link, nothing stays on disk, and
 * a failed upload leaves neither an image in Glance nor a file here.
 */
class GuestfsGlanceDestinationTest {
  @TempDir Path tmp;
  GuestfsFixture fixture;
  FakeTools tools;
  FakeOpenStack openstack;
  Path baseImage;
  Map<String, String> env;
  Map<String, String> config;

  @BeforeEach
  void setUp() throws Exception {
    openstack = FakeOpenStack.start();
    fixture = new GuestfsFixture(tmp, "jammy-server-cloudimg-amd64.img");
    tools = fixture.tools;
    baseImage = fixture.baseImage;
    env = fixture.env;
    config = fixture.config;
    Path clouds = Files.writeString(tmp.resolve("clouds.yaml"), openstack.cloudsYaml("ci"));
    env.put("OS_CLIENT_CONFIG_FILE", clouds.toString());
    env.put("HOME", tmp.toString());
  }

  @AfterEach
  void tearDown() {
    fixture.close();
    openstack.close();
  }

  ImageBuilder builder() {
    return fixture.builder();
  }

  CloudImageRequest request(String destination) {
    return ImageRequest.cloud().image(baseImage.toUri()).series("jammy").packages("hello")
        .destination(destination).build();
  }

  @Test
  void theImageIsPublishedWithItsProvenanceAndTheOutputsCarryItsIdAndLink() throws Exception {
    BuildResult result = builder().submit(request("glance:ci")).await(Duration.ofSeconds(30));

    TargetStatus target = result.targets().get(0);
    assertThat(target.state()).as(target.toString()).isEqualTo(TargetState.SUCCEEDED);
    String id = target.outputs().get("glance-image-id");
    assertThat(openstack.imageIds()).containsExactly(id);
    byte[] uploaded = openstack.imageData(id).orElseThrow();
    assertThat(target.outputs())
        .containsEntry("glance-image-url", openstack.glanceUrl() + "v2/images/" + id)
        .containsEntry("glance-cloud", "ci")
        .containsEntry("sha256", hex("SHA-256", uploaded))
        .containsEntry("sha512", hex("SHA-512", uploaded))
        .containsEntry("size", Long.toString(uploaded.length))
        .doesNotContainKey("path");
    assertThat(openstack.image(id).orElseThrow())
        .containsEntry("disk_format", "qcow2")
        .containsEntry("container_format", "bare")
        .containsEntry("visibility", "private")
        .containsEntry("name", "jammy-server-cloudimg-amd64-jammy-" + result.buildId())
        .containsEntry("imagebuilder_build_id", result.buildId())
        .containsEntry("imagebuilder_base_image", baseImage.toUri().toString())
        .containsEntry("imagebuilder_base_sha256", hex("SHA-256", Files.readAllBytes(baseImage)))
        .containsEntry("imagebuilder_series", "jammy")
        .containsEntry("imagebuilder_packages", "hello")
        .containsEntry("imagebuilder_ppas", "");
    assertThat(filesUnder(tmp.resolve("out"))).as("nothing stays on disk").isEmpty();
  }

  @Test
  void configuredVisibilityNameAndImportMethodAreUsed() throws Exception {
    config.put("guestfs.glance-visibility", "shared");
    config.put("guestfs.glance-image-name", "ci-jammy");
    config.put("guestfs.glance-import-method", "glance-direct");
    env.put("OS_CLOUD", "ci");

    BuildResult result = builder().submit(request("glance")).await(Duration.ofSeconds(60));

    String id = result.targets().get(0).outputs().get("glance-image-id");
    assertThat(result.succeeded()).as(result.toString()).isTrue();
    assertThat(openstack.image(id).orElseThrow()).containsEntry("visibility", "shared")
        .containsEntry("name", "ci-jammy");
    assertThat(openstack.calls()).contains("POST /image/v2/images/" + id + "/import");
  }

  @Test
  void aFailedUploadFailsTheTargetAndLeavesNoImageAndNoFile() throws Exception {
    openstack.uploadFault(FakeOpenStack.UploadFault.TOO_LARGE_413);

    BuildResult result = builder().submit(request("glance:ci")).await(Duration.ofSeconds(30));

    TargetStatus target = result.targets().get(0);
    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).contains("413");
    assertThat(openstack.imageIds()).isEmpty();
    assertThat(openstack.deletedIds()).hasSize(1);
    assertThat(filesUnder(tmp.resolve("out"))).isEmpty();
  }

  @Test
  void anUnconfiguredCloudIsRejectedBeforeAnythingIsBuilt() {
    assertThatThrownBy(() -> builder().submit(request("glance:elsewhere")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("destination").hasMessageContaining("'elsewhere'");
    config.put("guestfs.glance-import-method", "carrier-pigeon");
    assertThatThrownBy(() -> builder().submit(request("glance:ci")))
        .hasMessageContaining("imagebuilder.guestfs.glance-import-method");
    assertThat(tools.ran()).isFalse();
    assertThat(openstack.calls()).isEmpty();
  }

  @Test
  void thePlanSaysWhereTheImageWouldGo() {
    Plan plan = builder().plan(request("glance:ci"));

    assertThat(plan.notes()).anySatisfy(n -> assertThat(n)
        .contains("uploads the image to Glance of cloud 'ci'").contains("qcow2, private, upload"));
    assertThat(openstack.calls()).isEmpty();
  }

  static String hex(String algorithm, byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
  }

  static List<Path> filesUnder(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }
}
