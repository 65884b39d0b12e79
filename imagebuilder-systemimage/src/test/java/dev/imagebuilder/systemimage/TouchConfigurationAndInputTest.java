package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.systemimage.support.Trees;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user configures and what a remote server sends, checked before use: the customizer
 * command's quoting, the public host burnt into every image, and remote device names.
 */
class TouchConfigurationAndInputTest {
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path work;
  Path publish;
  FakeSystemImageServer remote;
  Map<String, String> config;
  final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws Exception {
    remote = FakeSystemImageServer.builder().devices("FP4").build().start();
    publish = work.resolve("www");
    config = new LinkedHashMap<>(TouchFixture.config(work, publish));
  }

  @AfterEach
  void tearDown() {
    remote.close();
  }

  private TouchImageRequest request() {
    return ImageRequest.touch().systemImageServer(remote.baseUri()).channel(remote.channel())
        .devices("FP4").series("focal").packages("hello").targetChannel("checked").build();
  }

  private BuildResult build(TouchImageRequest request) {
    try (ImageBuilder b = TouchFixture.builder(work, config, events::add)) {
      return b.submit(request).await(WAIT);
    }
  }

  private void assertRejectedAtSubmit(String key, String... fragments) throws Exception {
    Map<String, String> before = Trees.snapshot(publish);
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      assertThatThrownBy(() -> b.submit(request())).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("imagebuilder.systemimage." + key)
          .hasMessageContainingAll(fragments);
    }
    assertThat(Trees.snapshot(publish)).isEqualTo(before);
  }

  private String channelIni() throws Exception {
    return Trees.tarMember(publish.resolve("checked/FP4/version-1.tar.xz"),
        "system/etc/system-image/channel.ini");
  }

  @Test
  void theCustomizerCommandTakesShellQuotingSoShDashCWorks() throws Exception {
    config.put("systemimage.customizer-command", "sh -c 'mkdir -p \"$1/etc\" && printf \"%s\\n\""
        + " \"quoted ok\" > \"$1/etc/quoted-marker\"' sh {rootfs}");
    BuildResult r = build(request());
    assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
    assertThat(Trees.tarMember(rootfsOf("checked/FP4"), "system/etc/quoted-marker")).isEqualTo("quoted ok\n");
  }

  @Test
  void theCustomizerCommandMayBeAJsonArray() throws Exception {
    config.put("systemimage.customizer-command", "[\"sh\", \"-c\", \"echo \\\"$2\\\" > \\\"$1/etc-marker\\\"\","
        + " \"sh\", \"{rootfs}\", \"packages: {packages}\"]");
    BuildResult r = build(request());
    assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
    assertThat(Trees.tarMember(rootfsOf("checked/FP4"), "system/etc-marker")).isEqualTo("packages: hello\n");
  }

  @Test
  void aBadlyQuotedCommandIsRejectedAtSubmitNamingTheKeyAndValue() throws Exception {
    config.put("systemimage.customizer-command", "sh -c 'echo unterminated");
    assertRejectedAtSubmit("customizer-command", "sh -c 'echo unterminated", "unterminated single-quoted");
    config.put("systemimage.customizer-command", "[\"sh\", 3]");
    assertRejectedAtSubmit("customizer-command", "not a JSON array of strings");
  }

  @Test
  void publicHostIsRequiredAndLoopbackIsRefusedUnlessAllowed() throws Exception {
    config.remove("systemimage.public-host");
    assertRejectedAtSubmit("public-host", "is not configured", "public-url");
    for (String loopback : List.of("localhost", "127.0.0.1", "127.1.2.3", "ip6.localhost")) {
      config.put("systemimage.public-host", loopback);
      assertRejectedAtSubmit("public-host", "'" + loopback + "' is a loopback address",
          "allow-loopback-public-host");
    }
    config.put("systemimage.public-host", "evil\nhttp_port: 1");
    assertRejectedAtSubmit("public-host", "is not a host name");

    config.put("systemimage.public-host", "localhost");
    config.put("systemimage.allow-loopback-public-host", "true");
    assertThat(build(request()).succeeded()).isTrue();
    assertThat(channelIni()).contains("base: localhost\n");
  }

  @Test
  void aPublicUrlGivesHostAndPort() throws Exception {
    config.remove("systemimage.public-host");
    config.put("systemimage.public-url", "https://SI.example.org:8443/");
    BuildResult r = build(request());
    assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
    assertThat(channelIni()).contains("base: si.example.org\n", "https_port: 8443\n", "http_port: 80\n");
    assertThat(r.targets().get(0).outputs())
        .containsEntry("index-url", "https://si.example.org:8443/checked/FP4/index.json");

    config.put("systemimage.public-url", "https://si.example.org/some/path");
    assertRejectedAtSubmit("public-url", "server root");
    config.put("systemimage.public-url", "http://127.0.0.1:8080");
    assertRejectedAtSubmit("public-url", "loopback");
  }

  @Test
  void remoteDeviceNamesThatAreNotNamesAreNeitherPublishedNorPrinted() throws Exception {
    String escape = "\u001b[31mred";
    try (FakeSystemImageServer hostile = FakeSystemImageServer.builder()
        .devices("FP4", "a/b", escape).build().start()) {
      BuildResult r = build(ImageRequest.touch().systemImageServer(hostile.baseUri())
          .channel(hostile.channel()).series("focal").targetChannel("checked").build());
      assertThat(r.targets()).extracting(TargetStatus::key).containsExactly("FP4");
      assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
    }
    assertThat(publish.resolve("checked/a")).doesNotExist();
    try (var files = Files.walk(publish)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("\u001b"));
    }
    assertThat(events).noneMatch(e -> e.toString().contains("\u001b"));
  }

  @Test
  void theSeriesLabelIsTheSeriesAsRequested() throws Exception {
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      assertThat(b.plan(request()).targets().get(0).labels()).containsEntry("series", "focal");
      assertThat(b.plan(request().toBuilder().series("20.04").build()).targets().get(0).labels())
          .containsEntry("series", "20.04");
    }
  }

  private Path rootfsOf(String channelDevice) throws Exception {
    var index = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(publish.resolve(channelDevice + "/index.json").toFile());
    return publish.resolve(index.at("/images/0/files/0/path").asText().substring(1));
  }
}
