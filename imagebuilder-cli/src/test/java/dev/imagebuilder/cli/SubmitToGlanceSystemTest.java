package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.internal.Cli;
import dev.imagebuilder.cli.internal.Invocation;
import dev.imagebuilder.glance.internal.CloudConfigReader;
import dev.imagebuilder.glance.internal.KeystoneSession;
import dev.imagebuilder.testkit.PlainHttpService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real chain: {@code image-builder submit --wait --json} with a cloud item whose destination
 * is {@code glance:imagebuilder-ci} builds the tiny Debian image of {@code .ci/setup.d/guestfs.sh}
 * with the real virt-customize and publishes it to the real Keystone and glance-api of
 * {@code .ci/setup.d/glance.sh}; the image is then downloaded back and its hashes compared with
 * the outputs the command printed. Skips when either setup is missing, unless
 * {@code IMAGEBUILDER_SYSTEM_TESTS=required}.
 */
class SubmitToGlanceSystemTest {
  static final Path GLANCE_STATE = Path.of(System.getenv().getOrDefault(
      "IMAGEBUILDER_GLANCE_TEST_DIR", "/var/lib/imagebuilder-test/glance"));
  static final Path CLOUDS = GLANCE_STATE.resolve("clouds.yaml");
  static final Path BASE = Path.of(System.getenv().getOrDefault(
      "IMAGEBUILDER_GUESTFS_TEST_CACHE", "/var/cache/imagebuilder-test/guestfs")).resolve("base.qcow2");
  static final String CLOUD = "imagebuilder-ci";

  @TempDir Path dir;
  final Map<String, String> env = new HashMap<>(System.getenv());

  @BeforeEach
  void requireSetup() {
    List<String> missing = new ArrayList<>();
    if (!Files.isReadable(CLOUDS)) {
      missing.add(CLOUDS + " (run .ci/setup.d/glance.sh as root)");
    }
    if (!Files.isReadable(BASE)) {
      missing.add(BASE + " (run .ci/setup.d/guestfs.sh as root)");
    }
    if (!missing.isEmpty()) {
      String why = "the submit-to-Glance system test needs " + String.join(", ", missing);
      if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
        fail(why);
      }
      assumeTrue(false, why);
    }
    env.put("OS_CLIENT_CONFIG_FILE", CLOUDS.toString());
    env.remove("OS_CLOUD");
  }

  @Test
  void submitPublishesTheImageAndItDownloadsBackWithTheSameHashes() throws Exception {
    Path requests = Files.writeString(dir.resolve("requests.json"), """
        [{"image_type": "cloud", "image": "%s", "series": "bookworm",
          "destination": "glance:%s", "trigger": "ci-progress"}]
        """.formatted(BASE.toUri(), CLOUD));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = new Cli(new Invocation(o, e, false, env::get, false)).run(new String[] {
          "submit", "--file", requests.toString(), "--wait", "--json",
          "--state", dir.resolve("state.json").toString(),
          "--config", "guestfs.output-directory=" + dir.resolve("out"),
          "--config", "guestfs.backend-settings="
              + env.getOrDefault("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg"),
          "--config", "guestfs.timeout=20m"});
    }
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(stdout + "\n--- stderr\n" + err.toString(StandardCharsets.UTF_8)).isZero();

    List<String> lines = stdout.lines().toList();
    JsonNode summary = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    JsonNode outputs = summary.findValue("outputs");
    assertThat(outputs).as(stdout).isNotNull();
    String id = outputs.path("glance-image-id").asText();
    URI link = URI.create(outputs.path("glance-image-url").asText());
    assertThat(outputs.path("glance-cloud").asText()).isEqualTo(CLOUD);
    assertThat(link.getPath()).endsWith("/v2/images/" + id);

    KeystoneSession session = new KeystoneSession(new PlainHttpService(), new CloudConfigReader("test", env::get,
        dir, dir).read(Optional.of(CLOUD)), Clock.systemUTC());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(link + "/file"))
        .header("X-Auth-Token", session.token()).build(), HttpResponse.BodyHandlers.ofByteArray());
    try {
      assertThat(download.statusCode()).isEqualTo(200);
      byte[] image = download.body();
      assertThat(Long.toString(image.length)).isEqualTo(outputs.path("size").asText());
      assertThat(hex("SHA-256", image)).isEqualTo(outputs.path("sha256").asText());
      assertThat(hex("SHA-512", image)).isEqualTo(outputs.path("sha512").asText());
      assertThat(new String(image, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("QFI\u00fb");
    } finally {
      http.send(HttpRequest.newBuilder(link).header("X-Auth-Token", session.token()).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  static String hex(String algorithm, byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
  }
}
