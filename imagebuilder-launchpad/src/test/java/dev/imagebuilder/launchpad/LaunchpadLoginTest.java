package dev.imagebuilder.launchpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.ImageBuildException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchpadLoginTest {
  MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  List<URI> shown = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server.start(java.net.InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  LaunchpadLogin login(Path file) {
    return LaunchpadLogin.builder()
        .webRoot(URI.create(server.url("/").toString()))
        .consumerKey("image-builder")
        .credentialsFile(file)
        .onAuthorizationUrl(shown::add)
        .pollInterval(Duration.ofMillis(20))
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  static MockResponse text(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "text/plain").body(body).build();
  }

  @Test
  void threeStepsPollingUntilApprovedWriteA0600File() throws Exception {
    server.enqueue(text(200, "oauth_token=REQTOK&oauth_token_secret=REQSEC"));
    server.enqueue(text(401, "Request token has not yet been reviewed. Try again later."));
    server.enqueue(text(401, "Request token has not yet been reviewed. Try again later."));
    server.enqueue(text(200, "oauth_token=ACCTOK&oauth_token_secret=ACCSEC&lp.context=None"));
    Path file = dir.resolve("lp.credentials");

    assertThat(login(file).login()).isEqualTo(file);

    RecordedRequest first = server.takeRequest();
    assertThat(first.getUrl().encodedPath()).isEqualTo("/+request-token");
    assertThat(URLDecoder.decode(first.getBody().utf8(), StandardCharsets.UTF_8))
        .contains("oauth_consumer_key=image-builder", "oauth_signature_method=PLAINTEXT", "oauth_signature=&");
    assertThat(shown).containsExactly(URI.create(server.url("/").toString()
        + "+authorize-token?oauth_token=REQTOK&allow_permission=WRITE_PUBLIC"));
    RecordedRequest access = server.takeRequest();
    assertThat(access.getUrl().encodedPath()).isEqualTo("/+access-token");
    assertThat(URLDecoder.decode(access.getBody().utf8(), StandardCharsets.UTF_8))
        .contains("oauth_token=REQTOK", "oauth_signature=&REQSEC");
    assertThat(server.getRequestCount()).isEqualTo(4);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file)).isEqualTo(
        "[1]\nconsumer_key = image-builder\nconsumer_secret = \naccess_token = ACCTOK\naccess_secret = ACCSEC\n\n");
  }

  @Test
  void refusedByTheUserFailsAndWritesNothing() {
    server.enqueue(text(200, "oauth_token=REQTOK&oauth_token_secret=REQSEC"));
    server.enqueue(text(403, "End-user refused to authorize request token."));
    Path file = dir.resolve("lp.credentials");
    assertThatThrownBy(() -> login(file).login())
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("End-user refused to authorize request token.");
    assertThat(file).doesNotExist();
  }

  @Test
  void stillPendingAtTheTimeoutFailsClearly() {
    server.enqueue(text(200, "oauth_token=REQTOK&oauth_token_secret=REQSEC"));
    for (int i = 0; i < 200; i++) {
      server.enqueue(text(401, "Request token has not yet been reviewed. Try again later."));
    }
    Path file = dir.resolve("lp.credentials");
    LaunchpadLogin login = LaunchpadLogin.builder().webRoot(URI.create(server.url("/").toString()))
        .credentialsFile(file).onAuthorizationUrl(shown::add)
        .pollInterval(Duration.ofMillis(10)).timeout(Duration.ofMillis(200)).build();
    assertThatThrownBy(login::login).isInstanceOf(ImageBuildException.class).hasMessageContaining("not authorized within");
    assertThat(file).doesNotExist();
  }

  @Test
  void unknownConsumerRefusedAtTheFirstStep() {
    server.enqueue(text(401, "Unknown consumer (image-builder)."));
    assertThatThrownBy(() -> login(dir.resolve("f")).login())
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("Unknown consumer");
    assertThat(shown).isEmpty();
  }

  @Test
  void webRootIsDerivedFromTheServiceRoot() {
    assertThat(LaunchpadLogin.webRootFor("production")).isEqualTo(URI.create("https://launchpad.net/"));
    assertThat(LaunchpadLogin.webRootFor("staging")).isEqualTo(URI.create("https://staging.launchpad.net/"));
  }

  @Test
  void plainHttpIsJudgedFromTheUrlWithoutLookingUpTheName() throws Exception {
    // This machine's name resolves to a loopback address here, but a name is not trusted for that.
    String name = java.net.InetAddress.getLocalHost().getHostName();
    org.junit.jupiter.api.Assumptions.assumeTrue(java.net.InetAddress.getByName(name).isLoopbackAddress(),
        name + " does not resolve to loopback on this machine");
    assertThatThrownBy(() -> LaunchpadLogin.builder().webRoot(URI.create("http://" + name + ":8080/"))
        .credentialsFile(dir.resolve("f")).onAuthorizationUrl(shown::add).build())
        .hasMessageContaining("plain http");
    for (String loopback : List.of("http://localhost:8080/", "http://127.0.0.1:8080/", "http://[::1]:8080/")) {
      assertThat(LaunchpadLogin.builder().webRoot(URI.create(loopback))
          .credentialsFile(dir.resolve("f")).onAuthorizationUrl(shown::add).build()).isNotNull();
    }
  }

  @Test
  void plainHttpToAnotherHostIsRefused() {
    assertThatThrownBy(() -> LaunchpadLogin.builder().webRoot(URI.create("http://launchpad.example/"))
        .credentialsFile(dir.resolve("f")).onAuthorizationUrl(shown::add).build())
        .hasMessageContaining("plain http");
  }
}
