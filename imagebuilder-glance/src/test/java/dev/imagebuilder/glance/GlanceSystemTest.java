package dev.imagebuilder.glance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.glance.internal.CloudConfigReader;
import dev.imagebuilder.glance.internal.GlanceImages;
import dev.imagebuilder.glance.internal.KeystoneSession;
import dev.imagebuilder.testkit.PlainHttpService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real Keystone and glance-api that {@code .ci/setup.d/glance.sh} runs on loopback:
 * both credential kinds and both import methods, each image downloaded back and compared, and a
 * refused upload that leaves no image. Skips when they are not set up, unless
 * {@code IMAGEBUILDER_SYSTEM_TESTS=required}.
 */
class GlanceSystemTest {
  static final Path STATE = Path.of(System.getenv().getOrDefault(
      "IMAGEBUILDER_GLANCE_TEST_DIR", "/var/lib/imagebuilder-test/glance"));
  static final Path CLOUDS = STATE.resolve("clouds.yaml");

  @TempDir Path tmp;
  final Map<String, String> env = new HashMap<>();
  final PlainHttpService http = new PlainHttpService();
  Path file;
  byte[] bytes;
  KeystoneSession session;

  @BeforeEach
  void requireCloud() throws Exception {
    if (!Files.isReadable(CLOUDS)) {
      String why = "Glance system test needs " + CLOUDS + " (run .ci/setup.d/glance.sh as root)";
      if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
        fail(why);
      }
      assumeTrue(false, why);
    }
    env.put("OS_CLIENT_CONFIG_FILE", CLOUDS.toString());
    env.put("HOME", tmp.toString());
    bytes = new byte[(3 << 20) + 17];
    new Random().nextBytes(bytes);
    file = Files.write(tmp.resolve("disk.raw"), bytes);
  }

  GlancePublisher publisher(String cloud, ImportMethod method) {
    return GlancePublisher.forCloud(http, Optional.of(cloud), env::get, "destination",
        new GlancePublisher.Options(method, java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(5)));
  }

  ImageSpec spec(String name) {
    return new ImageSpec(name, "raw", "bare", "private", Map.of("imagebuilder_build_id", name));
  }

  @Test
  void passwordAuthAndUploadGiveAnActiveImageWithTheSameBytes() throws Exception {
    PublishedImage image = publisher("imagebuilder-ci", ImportMethod.UPLOAD)
        .publish(file, spec("system-upload"), new PublishListener() {}, () -> false);

    assertThat(download(image)).isEqualTo(bytes);
    assertThat(image.osHashAlgo()).isEqualTo("sha512");
    delete(image);
  }

  @Test
  void applicationCredentialAndGlanceDirectGiveAnActiveImageWithTheSameBytes() throws Exception {
    PublishedImage image = publisher("imagebuilder-ci-appcred", ImportMethod.GLANCE_DIRECT)
        .publish(file, spec("system-import"), new PublishListener() {}, () -> false);

    assertThat(download(image)).isEqualTo(bytes);
    delete(image);
  }

  @Test
  void aCancelledUploadLeavesNoImage() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.List<String> log = new CopyOnWriteArrayList<>();
    Throwable thrown = catchThrowable(() -> publisher("imagebuilder-ci", ImportMethod.UPLOAD)
        .publish(file, spec("system-cancel"), new PublishListener() {
          @Override
          public void log(String line) {
            log.add(line);
          }

          @Override
          public void uploaded(long sent, long total) {
            cancelled.set(sent > total / 3);
          }
        }, cancelled::get));

    assertThat(thrown).isInstanceOf(java.util.concurrent.CancellationException.class);
    String id = log.stream().filter(l -> l.startsWith("Created Glance image "))
        .map(l -> l.split(" ")[3]).findFirst().orElseThrow();
    assertThat(status(id)).isEqualTo(404);
  }

  @Test
  void aWrongPasswordIsRefusedByKeystone() throws Exception {
    Path wrong = tmp.resolve("clouds.yaml");
    Files.writeString(wrong, Files.readString(CLOUDS).replaceFirst("password: .*", "password: wrong"));
    env.put("OS_CLIENT_CONFIG_FILE", wrong.toString());

    Throwable thrown = catchThrowable(() -> publisher("imagebuilder-ci", ImportMethod.UPLOAD)
        .publish(file, spec("system-401"), new PublishListener() {}, () -> false));

    assertThat(thrown).isInstanceOf(AuthenticationException.class).hasMessageContaining("401");
  }

  private byte[] download(PublishedImage image) {
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(image.link() + "/file"))
        .header("X-Auth-Token", token()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private int status(String id) {
    String glance = imageLinkBase();
    return http.send(HttpRequest.newBuilder(URI.create(glance + id)).header("X-Auth-Token", token())
        .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private void delete(PublishedImage image) {
    http.send(HttpRequest.newBuilder(image.link()).header("X-Auth-Token", token()).DELETE().build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** A session of our own, for reading back what was published (as a separate client would). */
  private KeystoneSession session() {
    if (session == null) {
      session = new KeystoneSession(http, new CloudConfigReader("test", env::get, tmp, tmp)
          .read(Optional.of("imagebuilder-ci")), Clock.systemUTC());
    }
    return session;
  }

  private String token() {
    return session().token();
  }

  private String imageLinkBase() {
    return new GlanceImages(http, session()).v2() + "/images/";
  }
}
