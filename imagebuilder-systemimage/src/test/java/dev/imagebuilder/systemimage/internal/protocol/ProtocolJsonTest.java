package dev.imagebuilder.systemimage.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.IntegrityException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ProtocolJsonTest {
  private static final String SHA = "a".repeat(64);

  private static String index(String imageJson) {
    return "{\"global\": {\"generated_at\": \"Thu Aug 01 08:01:00 UTC 2013\"}, \"images\": [" + imageJson + "]}";
  }

  private static String file(String path) {
    return "{\"order\": 0, \"path\": \"" + path + "\", \"signature\": \"" + path + ".asc\","
        + " \"checksum\": \"" + SHA + "\", \"size\": 10}";
  }

  private static DeviceIndex parse(String json) {
    return ProtocolJson.index(json.getBytes(StandardCharsets.UTF_8), "index.json");
  }

  @Test
  void readsFullAndDeltaImagesAndFindsTheLatestFull() {
    DeviceIndex i = parse(index(
        "{\"type\": \"full\", \"version\": 250, \"files\": [" + file("/pool/ubports-1.tar.xz") + "]},"
            + "{\"type\": \"full\", \"version\": 261, \"files\": [" + file("/pool/device-2.tar.xz") + "]},"
            + "{\"type\": \"delta\", \"version\": 262, \"base\": 261, \"files\": []}"));
    assertThat(i.latestFull()).get().extracting(Image::version).isEqualTo(261);
    assertThat(i.highestVersion()).isEqualTo(262);
    assertThat(i.latestFull().get().files().get(0).prefix()).isEqualTo("device");
  }

  @ParameterizedTest
  @ValueSource(strings = {"65536", "-1", "1.5", "\"261\""})
  void refusesVersionsTheClientCannotHash(String version) {
    assertThatThrownBy(() -> parse(index("{\"type\": \"full\", \"version\": " + version + ", \"files\": []}")))
        .isInstanceOf(IntegrityException.class).hasMessageContaining("images[0].version")
        .hasMessageContaining(version);
  }

  @Test
  void refusesDeltasWithoutBaseAndFullImagesWithOne() {
    assertThatThrownBy(() -> parse(index("{\"type\": \"delta\", \"version\": 2, \"files\": []}")))
        .hasMessageContaining("delta without 'base'");
    assertThatThrownBy(() -> parse(index("{\"type\": \"full\", \"version\": 2, \"base\": 1, \"files\": []}")))
        .hasMessageContaining("full image with a 'base'");
  }

  @Test
  void refusesBadChecksumsAndSizes() {
    assertThatThrownBy(() -> parse(index("{\"type\": \"full\", \"version\": 2, \"files\": ["
        + file("/pool/x-1.tar.xz").replace(SHA, "SHA1ISOLD") + "]}")))
        .hasMessageContaining("files[0].checksum 'SHA1ISOLD'");
    assertThatThrownBy(() -> parse(index("{\"type\": \"full\", \"version\": 2, \"files\": ["
        + file("/pool/x-1.tar.xz").replace("\"size\": 10", "\"size\": -3") + "]}")))
        .hasMessageContaining("files[0].size '-3'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/pool/../../etc/passwd", "../pool/x.tar.xz", "pool/x.tar.xz",
      "/pool/./x.tar.xz", "/pool//x.tar.xz", "/pool/x\\..\\y", "/pool/%2e%2e/x", "/pool/x y",
      "/pool/x\u0000y", ""})
  void refusesHostilePathsNamingThem(String path) {
    assertThatThrownBy(() -> parse(index("{\"type\": \"full\", \"version\": 2, \"files\": ["
        + file(path.replace("\\", "\\\\").replace("\u0000", "\\u0000")) + "]}")))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("images[0].files[0]");
  }

  @Test
  void resolvesValidPathsInsideTheTreeOnly() {
    Path root = Path.of("/srv/www");
    assertThat(RemotePath.of("p", "/pool/device-1.tar.xz").resolveUnder(root))
        .isEqualTo(Path.of("/srv/www/pool/device-1.tar.xz"));
    assertThat(RemotePath.of("p", "/20.04/arm64/android9plus/devel/FP4/index.json").prefix())
        .isEqualTo("index");
    assertThatThrownBy(() -> RemotePath.of("p", "/pool/../../x")).hasMessageContaining("'/pool/../../x'");
  }

  @Test
  void readsChannelsWithRedirectsAndRefusesDevicesWithoutIndex() {
    var channels = ProtocolJson.channels(("{\"a\": {\"hidden\": true, \"devices\": {"
        + "\"FP4\": {\"index\": \"/a/FP4/index.json\"}, \"bacon\": {\"redirect\": \"b\"}}}}")
        .getBytes(StandardCharsets.UTF_8), "channels.json");
    assertThat(channels.get("a").hidden()).isTrue();
    assertThat(channels.get("a").devices().get("bacon").redirect()).isEqualTo("b");
    assertThatThrownBy(() -> ProtocolJson.channels("{\"a\": {\"devices\": {\"FP4\": {}}}}"
        .getBytes(StandardCharsets.UTF_8), "channels.json"))
        .hasMessageContaining("devices.FP4 has neither 'index' nor 'redirect'");
    assertThatThrownBy(() -> ProtocolJson.channels("{\"a\": {\"devices\": {\"FP4\": {\"index\": \"/../x\"}}}}"
        .getBytes(StandardCharsets.UTF_8), "channels.json"))
        .hasMessageContaining("'/../x'");
  }

  @Test
  void leavesOutDevicesAndChannelsWhoseNamesAreNotNamesAndRefusesBadRedirects() {
    var channels = ProtocolJson.channels(("{\"a\": {\"devices\": {"
        + "\"FP4\": {\"index\": \"/a/FP4/index.json\"}, \"x/y\": {\"index\": \"/a/x/y/index.json\"},"
        + " \"\\u001b[2J\": {\"index\": \"/a/e/index.json\"}}},"
        + " \"bad\\u0007\": {\"devices\": {}}, \"../up\": {\"devices\": {}}}")
        .getBytes(StandardCharsets.UTF_8), "channels.json");
    assertThat(channels).containsOnlyKeys("a");
    assertThat(channels.get("a").devices()).containsOnlyKeys("FP4");
    assertThatThrownBy(() -> ProtocolJson.channels(
        "{\"a\": {\"devices\": {\"FP4\": {\"redirect\": \"b/\\u001b\"}}}}"
            .getBytes(StandardCharsets.UTF_8), "channels.json"))
        .hasMessageContaining("devices.FP4.redirect").hasMessageContaining("\\u001b")
        .hasMessageNotContaining("\u001b");
  }

  @Test
  void remoteTextQuotedInAnErrorIsEscaped() {
    assertThatThrownBy(() -> ProtocolJson.index(("{\"images\": [{\"type\": \"\\u001b[2Jfull\", \"version\": 1,"
        + " \"files\": []}]}").getBytes(StandardCharsets.UTF_8), "index.json"))
        .hasMessageContaining("'\\u001b[2Jfull'").hasMessageNotContaining("\u001b");
  }
}
