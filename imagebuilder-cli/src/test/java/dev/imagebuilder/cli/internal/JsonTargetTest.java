package dev.imagebuilder.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The journal's and {@code --json}'s target object keeps its bytes while the codec moved to core. */
class JsonTargetTest {
  private static final TargetStatus BUILDING = new TargetStatus("redis/22.04/amd64",
      Map.of("image", "redis", "series", "22.04", "arch", "amd64"), TargetState.BUILDING,
      "Currently building / Pending", URI.create("https://lp.example/b/1"), null, null,
      Map.of("digest", "sha256:abc"), 2);

  /** As image-builder/1 has always written it (and existing journals hold it). */
  private static final String WRITTEN = "{\"key\":\"redis/22.04/amd64\",\"image\":\"redis\","
      + "\"series\":\"22.04\",\"arch\":\"amd64\",\"state\":\"BUILDING\","
      + "\"raw_state\":\"Currently building / Pending\",\"build_state\":\"Currently building\","
      + "\"upload_state\":\"Pending\",\"web_link\":\"https://lp.example/b/1\",\"log_url\":null,"
      + "\"error\":null,\"attempt\":2,\"labels\":{\"arch\":\"amd64\",\"image\":\"redis\","
      + "\"series\":\"22.04\"},\"outputs\":{\"digest\":\"sha256:abc\"}}";

  @Test
  void writesTheSameBytesAsBefore() throws Exception {
    assertThat(Json.MAPPER.writeValueAsString(Json.target(BUILDING))).isEqualTo(WRITTEN);
  }

  @Test
  void readsWhatItWroteAndWhatOldJournalsHold() throws Exception {
    assertThat(Json.targetFrom(Json.target(BUILDING))).isEqualTo(BUILDING);
    assertThat(Json.targetFrom(Json.MAPPER.readTree(WRITTEN))).isEqualTo(BUILDING);
  }
}
