package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone main's set-up: demo data, files and what it prints. */
class FakeServersTest {
  @Test
  void servesDemoDataAndWritesMatchingFiles(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (FakeServers servers = FakeServers.start(
        new String[] {"--launchpad-port", "0", "--output", dir.toString()},
        new PrintStream(printed, true, StandardCharsets.UTF_8))) {
      Map<String, String> lines = new LinkedHashMap<>();
      for (String line : printed.toString(StandardCharsets.UTF_8).split("\n")) {
        int colon = line.indexOf(": ");
        lines.put(line.substring(0, colon), line.substring(colon + 2));
      }
      FakeLaunchpad lp = servers.launchpad();
      assertThat(lines.get("launchpad.service-root")).isEqualTo(lp.serviceRoot().toString());
      assertThat(lines.get("launchpad.credentials-file")).isEqualTo(dir.resolve("launchpad-credentials").toString());
      assertThat(lines.get("launchpad.catalog")).isEqualTo(dir.resolve("launchpad-catalog.json").toString());
      assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain(lp.credentials().accessSecret());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("launchpad-credentials"))))
          .isEqualTo("rw-------");

      JsonNode catalog = Client.parse(Files.readString(dir.resolve("launchpad-catalog.json")));
      assertThat(catalog.get("recipes").size()).isEqualTo(4);
      assertThat(catalog.get("template").get("recipe").asText()).isEqualTo("{image}-{series}");
      assertThat(catalog.get("template").get("images").get("redis").toString()).isEqualTo("[\"20.04\",\"22.04\",\"24.04\"]");
      Client client = new Client(lp.credentials());
      for (String image : DemoData.IMAGES) {
        for (String series : DemoData.SERIES) {
          String path = catalog.get("recipes").get(image).get(series).asText();
          assertThat(path).isEqualTo("~ubuntu-docker-images/ubuntu-docker-images/+oci/" + image + "/+recipe/" + image + "-" + series);
          JsonNode processors = client.getJson(lp.serviceRoot() + path + "/processors");
          assertThat(FakeLaunchpadProtocolTest.names(processors)).containsExactlyElementsOf(DemoData.ARCHITECTURES);
        }
      }
    }
  }

  @Test
  void badOptionsNameTheOption() {
    assertThatThrownBy(() -> FakeServers.start(new String[] {"--launchpad-port", "http"}, System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--launchpad-port: not a port number (0-65535): http");
    assertThatThrownBy(() -> FakeServers.start(new String[] {"--launchpad-port", "70000"}, System.out))
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> FakeServers.start(new String[] {"--output"}, System.out))
        .hasMessage("--output needs a value");
    assertThatThrownBy(() -> FakeServers.start(new String[] {"--frobnicate"}, System.out))
        .hasMessage("unknown option: --frobnicate");
  }
}
