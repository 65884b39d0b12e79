package dev.imagebuilder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetStatusFormatTest {
  private static final TargetStatus FULL = new TargetStatus("redis/22.04/amd64",
      Map.of("series", "22.04", "image", "redis", "arch", "amd64"), TargetState.SUCCEEDED,
      "Successfully built / Uploaded", URI.create("https://launchpad.example/~u/+oci/b/1"),
      URI.create("https://launchpad.example/b/1/+files/buildlog.txt.gz"), null,
      Map.of("registry_digest", "sha256:abc", "manifest", "https://registry.example/m"), 3);
  private static final TargetStatus BARE = new TargetStatus("FP4", Map.of(), TargetState.QUEUED,
      null, null, null, null, Map.of(), 1);

  @Test
  void writesEveryFieldInOrderWithSortedMapsAndNulls() {
    assertThat(TargetStatusFormat.write(FULL)).isEqualTo("{\"key\":\"redis/22.04/amd64\","
        + "\"labels\":{\"arch\":\"amd64\",\"image\":\"redis\",\"series\":\"22.04\"},"
        + "\"state\":\"SUCCEEDED\",\"raw_state\":\"Successfully built / Uploaded\","
        + "\"web_link\":\"https://launchpad.example/~u/+oci/b/1\","
        + "\"log_url\":\"https://launchpad.example/b/1/+files/buildlog.txt.gz\",\"error\":null,"
        + "\"outputs\":{\"manifest\":\"https://registry.example/m\",\"registry_digest\":\"sha256:abc\"},"
        + "\"attempt\":3}");
    assertThat(TargetStatusFormat.write(BARE)).isEqualTo("{\"key\":\"FP4\",\"labels\":{},"
        + "\"state\":\"QUEUED\",\"raw_state\":null,\"web_link\":null,\"log_url\":null,\"error\":null,"
        + "\"outputs\":{},\"attempt\":1}");
  }

  @Test
  void roundTripsThroughTextAndThroughTheMap() {
    TargetStatus failed = new TargetStatus("FP5", Map.of("device", "FP5"), TargetState.FAILED_TO_BUILD,
        "apt failed", null, URI.create("file:///var/log/fp5.log"), "E: Unable to locate package foo",
        Map.of(), 2);
    for (TargetStatus t : new TargetStatus[] {FULL, BARE, failed}) {
      assertThat(TargetStatusFormat.parse(TargetStatusFormat.write(t))).isEqualTo(t);
      assertThat(TargetStatusFormat.fromMap(TargetStatusFormat.toMap(t))).isEqualTo(t);
    }
  }

  @Test
  void readsDocumentsWithMoreFieldsAndFewer() {
    // The CLI's journal adds view fields; older writers may leave out maps and the attempt.
    TargetStatus read = TargetStatusFormat.parse("{\"key\":\"k\",\"image\":\"redis\",\"build_state\":"
        + "\"Building\",\"state\":\"BUILDING\",\"attempt\":0}");
    assertThat(read).isEqualTo(new TargetStatus("k", Map.of(), TargetState.BUILDING, null, null, null,
        null, Map.of(), 1));
  }

  @Test
  void refusesMissingOrWrongFieldsNamingThem() {
    assertThatThrownBy(() -> TargetStatusFormat.parse("{\"state\":\"BUILDING\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("target.key: missing");
    assertThatThrownBy(() -> TargetStatusFormat.parse("{\"key\":\"k\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("target.state: missing");
    assertThatThrownBy(() -> TargetStatusFormat.parse("{\"key\":\"k\",\"state\":\"DONE\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("target.state: 'DONE' is not one of [QUEUED");
    assertThatThrownBy(() -> TargetStatusFormat.parse(
        "{\"key\":\"k\",\"state\":\"BUILDING\",\"web_link\":\"http://a b\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target.web_link: not a URI: 'http://a b'");
    assertThatThrownBy(() -> TargetStatusFormat.parse("[1]"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("target: not a JSON object");
    assertThatThrownBy(() -> TargetStatusFormat.parse("{\"key\":"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("target: not JSON");
  }

  @Test
  void theMapHoldsOnlyPlainValuesInWrittenOrder() {
    Map<String, Object> map = TargetStatusFormat.toMap(FULL);
    assertThat(map).containsOnlyKeys("key", "labels", "state", "raw_state", "web_link", "log_url",
        "error", "outputs", "attempt");
    assertThat(map.keySet()).containsExactly("key", "labels", "state", "raw_state", "web_link",
        "log_url", "error", "outputs", "attempt");
    assertThat(map.get("attempt")).isEqualTo(3);
    assertThat(map.get("labels")).isEqualTo(Map.of("arch", "amd64", "image", "redis", "series", "22.04"));
    Map<String, Object> mutable = new LinkedHashMap<>(map);
    mutable.put("state", "CANCELLED");
    assertThat(TargetStatusFormat.fromMap(mutable).state()).isEqualTo(TargetState.CANCELLED);
  }
}
