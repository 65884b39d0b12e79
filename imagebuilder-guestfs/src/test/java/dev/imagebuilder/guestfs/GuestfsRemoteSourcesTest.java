package dev.imagebuilder.guestfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the backend fetches over HTTP, through the core's real HTTP service and downloader: the
 * base image with its {@code SHA256SUMS}, and PPA keys from Launchpad's web service and the
 * keyserver (both played by a loopback server speaking their protocols). Every case of the key
 * lookup itself is tested in imagebuilder-apt; here, that the backend uses it and reports it.
 */
class GuestfsRemoteSourcesTest {
  @TempDir Path tmp;
  final MockWebServer server = new MockWebServer();
  final Map<String, MockResponse> routes = new ConcurrentHashMap<>();
  final List<String> requested = new CopyOnWriteArrayList<>();
  FakeTools tools;
  byte[] image;
  ImageBuilder builder;
  String fingerprint;

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        requested.add(request.getTarget());
        return routes.getOrDefault(request.getTarget(), new MockResponse.Builder().code(404).build());
      }
    });
    server.start();
    tools = new FakeTools(Files.createDirectories(tmp.resolve("tools")));
    image = new byte[3 << 20];
    for (int i = 0; i < image.length; i += 4096) {
      image[i] = (byte) i;
    }
    route("/images/jammy.img", image);
    fingerprint = FakeTools.resourceText("test-ppa-key.fingerprint");
    builder = ImageBuilder.newBuilder()
        .environment(name -> null)
        .stateDirectory(tmp.resolve("state"))
        .config("guestfs.virt-customize", tools.virtCustomize(FakeTools.SUCCEEDS).toString())
        .config("guestfs.qemu-img", tools.qemuImg("qcow2").toString())
        .config("guestfs.launchpad-api", server.url("/devel/").toString())
        .config("guestfs.keyserver", server.url("/").toString())
        .build();
  }

  @AfterEach
  void tearDown() {
    builder.close();
    server.close();
  }

  BuildResult build(String... ppas) {
    return builder.submit(ImageRequest.cloud().image(server.url("/images/jammy.img").toString())
        .series("jammy").ppas(ppas).packages("hello").build()).await(Duration.ofSeconds(60));
  }

  @Test
  void downloadsVerifiesAgainstSha256SumsAndReusesTheCachedImage() throws Exception {
    String sum = GuestfsBackendTest.sha256(image);
    route("/images/SHA256SUMS", (sum + " *jammy.img\n").getBytes());

    TargetStatus first = build().targets().get(0);
    assertThat(first.state()).as(first.toString()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(first.outputs())
        .containsEntry("base-sha256", sum)
        .containsEntry("base-checksum-source", server.url("/images/SHA256SUMS").toString());
    assertThat(tmp.resolve("state/guestfs/cache/base-images/" + sum)).hasBinaryContent(image);
    assertThat(requested).containsExactly("/images/SHA256SUMS", "/images/jammy.img");

    requested.clear();
    TargetStatus second = build().targets().get(0);
    assertThat(second.state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(second.outputs()).containsEntry("base-sha256", sum);
    assertThat(requested).as("the verified cached copy is used").containsExactly("/images/SHA256SUMS");
  }

  @Test
  void aDownloadThatDoesNotMatchSha256SumsFailsAndLeavesNothingCached() throws Exception {
    route("/images/SHA256SUMS", ("ab".repeat(32) + "  jammy.img\n").getBytes());

    TargetStatus target = build().targets().get(0);

    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).containsIgnoringCase("sha256");
    assertThat(tools.ran()).isFalse();
    assertThat(GuestfsBackendTest.list(tmp.resolve("state/guestfs/cache/base-images"))).isEmpty();
  }

  @Test
  void withoutSha256SumsTheComputedChecksumIsRecorded() throws Exception {
    TargetStatus target = build().targets().get(0);

    assertThat(target.state()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(target.outputs())
        .containsEntry("base-sha256", GuestfsBackendTest.sha256(image))
        .containsEntry("base-checksum-source", "computed");
  }

  @Test
  void aSha256SumsFileThatCannotBeReadFailsInsteadOfSkippingVerification() {
    routes.put("/images/SHA256SUMS", new MockResponse.Builder().code(500).body("boom").build());

    TargetStatus target = build().targets().get(0);

    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).contains("/images/SHA256SUMS").contains("500");
    assertThat(requested).doesNotContain("/images/jammy.img");
  }

  @Test
  void ppaKeyComesFromTheKeyserverWhenItsFingerprintIsLaunchpads() throws Exception {
    route("/devel/~deadsnakes/+archive/ubuntu/ppa",
        ("{\"name\": \"ppa\", \"signing_key_fingerprint\": \"" + fingerprint + "\"}").getBytes());
    route("/pks/lookup?op=get&options=mr&search=0x" + fingerprint, FakeTools.resource("test-ppa-key.asc"));

    TargetStatus target = build("ppa:deadsnakes/ppa").targets().get(0);

    assertThat(target.state()).as(target.toString()).isEqualTo(TargetState.SUCCEEDED);
    assertThat(tools.guestFile("/etc/apt/keyrings/deadsnakes-ubuntu-ppa.gpg"))
        .hasBinaryContent(FakeTools.resource("test-ppa-key.gpg"));
    assertThat(tools.guestFile("/etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.sources"))
        .content().contains("(key " + fingerprint + ")");
  }

  @Test
  void aPpaLaunchpadDoesNotKnowIsNamed() {
    TargetStatus target = build("ppa:nobody/nothing").targets().get(0);

    assertThat(target.errorSummary()).isEqualTo("ppas: 'ppa:nobody/nothing' does not exist on Launchpad");
    assertThat(tools.ran()).isFalse();
  }

  private void route(String target, byte[] body) {
    routes.put(target, new MockResponse.Builder().code(200).body(new Buffer().write(body)).build());
  }

}
