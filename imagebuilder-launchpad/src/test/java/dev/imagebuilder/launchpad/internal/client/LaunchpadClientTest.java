package dev.imagebuilder.launchpad.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.launchpad.testing.JdkHttpService;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LaunchpadClientTest {
  MockWebServer server = new MockWebServer();
  LaunchpadClient client;
  ServiceRoot root;

  @BeforeEach
  void start() throws Exception {
    server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    root = ServiceRoot.parse("launchpad.service-root", server.url("/devel/").toString(), null);
    client = new LaunchpadClient(root, new JdkHttpService(2), new Credentials("image-builder", "TOK", "SEC"),
        Clock.systemUTC(), 4);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static MockResponse json(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
  }

  static MockResponse text(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "text/plain").body(body).build();
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  @Test
  void getsAnEntrySignedAndAcceptingJson() throws Exception {
    server.enqueue(json("{\"name\": \"redis-22.04\"}"));
    JsonNode n = join(client.get(root.resolve("~o/p/+oci/redis/+recipe/redis-22.04")));
    assertThat(n.get("name").asText()).isEqualTo("redis-22.04");
    RecordedRequest r = server.takeRequest();
    assertThat(r.getUrl().encodedPath()).isEqualTo("/devel/~o/p/+oci/redis/+recipe/redis-22.04");
    assertThat(r.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(r.getHeaders().get("Authorization"))
        .startsWith("OAuth realm=\"http://" + server.getHostName() + ":" + server.getPort() + "/\", oauth_consumer_key=\"image-builder\", oauth_token=\"TOK\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"%26SEC\", oauth_timestamp=\"")
        .endsWith("oauth_version=\"1.0\"");
  }

  @Test
  void credentialsAreNotSentToALinkOutsideTheServiceRoot() throws Exception {
    try (MockWebServer elsewhere = new MockWebServer()) {
      elsewhere.start(java.net.InetAddress.getLoopbackAddress(), 0);
      String next = elsewhere.url("/devel/builds?ws.start=1").toString();
      server.enqueue(json("{\"start\": 0, \"total_size\": 2, \"entries\": [{\"name\": \"a\"}],"
          + " \"next_collection_link\": \"" + next + "\"}"));
      elsewhere.enqueue(json("{\"start\": 1, \"total_size\": 2, \"entries\": [{\"name\": \"b\"}]}"));

      assertThatThrownBy(() -> join(client.collection(root.resolve("builds"))))
          .hasMessageContaining("refusing to send the Launchpad credentials to " + next)
          .hasMessageNotContaining("SEC");
      assertThat(elsewhere.getRequestCount()).isZero();
    }
    assertThat(LaunchpadClient.sameOrigin(URI.create("https://api.launchpad.net/devel/x"),
        URI.create("https://API.launchpad.net:443/devel/"))).isTrue();
    assertThat(LaunchpadClient.sameOrigin(URI.create("http://api.launchpad.net/devel/x"),
        URI.create("https://api.launchpad.net/devel/"))).isFalse();
  }

  @Test
  void anonymousSendsNoAuthorization() throws Exception {
    LaunchpadClient anon = new LaunchpadClient(root, new JdkHttpService(), null, Clock.systemUTC(), 1);
    server.enqueue(json("{}"));
    join(anon.get(root.api()));
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isNull();
  }

  @Test
  void followsNextCollectionLinkVerbatimWithPagesOf300() throws Exception {
    String next = server.url("/devel/x/builds?memo=abc&ws.size=300&ws.start=300").toString();
    server.enqueue(json("{\"start\": 0, \"total_size\": 3, \"entries\": [{\"n\": 1}, {\"n\": 2}],"
        + " \"next_collection_link\": \"" + next + "\"}"));
    server.enqueue(json("{\"start\": 300, \"total_size\": 3, \"entries\": [{\"n\": 3}]}"));
    List<JsonNode> all = join(client.collection(root.resolve("x/builds")));
    assertThat(all).extracting(n -> n.get("n").asInt()).containsExactly(1, 2, 3);
    assertThat(server.takeRequest().getTarget()).isEqualTo("/devel/x/builds?ws.size=300");
    assertThat(server.takeRequest().getTarget()).isEqualTo("/devel/x/builds?memo=abc&ws.size=300&ws.start=300");
  }

  @Test
  void namedPostIsFormEncodedWithJsonForListsAndMaps() throws Exception {
    server.enqueue(json("null"));
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("processors", List.of("https://api.launchpad.net/devel/+processors/amd64"));
    params.put("metadata_override", Map.of("extra_ppas", List.of("o/ppa")));
    params.put("name", "plain text");
    params.put("looks_like_json", "true");
    params.put("count", 3);
    JsonNode result = join(client.post(root.resolve("r"), "setProcessors", params));
    assertThat(result.isNull()).isTrue();
    RecordedRequest r = server.takeRequest();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
    String body = URLDecoder.decode(r.getBody().utf8(), StandardCharsets.UTF_8);
    assertThat(body).isEqualTo("ws.op=setProcessors"
        + "&processors=[\"https://api.launchpad.net/devel/+processors/amd64\"]"
        + "&metadata_override={\"extra_ppas\":[\"o/ppa\"]}"
        + "&name=plain text&looks_like_json=\"true\"&count=3");
  }

  @Test
  void namedGetPutsTheOperationInTheQuery() throws Exception {
    server.enqueue(json("{\"name\": \"arm64\"}"));
    join(client.namedGet(root.resolve("+processors"), "getByName", Map.of("name", "arm64")));
    assertThat(server.takeRequest().getTarget()).isEqualTo("/devel/+processors?ws.op=getByName&name=arm64");
  }

  @Test
  void factoryOperationReturnsTheLocation() throws Exception {
    server.enqueue(new MockResponse.Builder().code(201)
        .setHeader("Location", server.url("/devel/r/+build-request/7").toString()).build());
    URI location = join(client.postFactory(root.resolve("r"), "requestBuilds", Map.of()));
    assertThat(location.toString()).endsWith("/devel/r/+build-request/7");
    assertThat(server.takeRequest().getBody().utf8()).isEqualTo("ws.op=requestBuilds");
  }

  @Test
  void badRequestCarriesLaunchpadsText() {
    server.enqueue(text(400, "An identical build of this OCI recipe is already pending."));
    assertThatThrownBy(() -> join(client.postFactory(root.resolve("r"), "requestBuilds", Map.of())))
        .isInstanceOf(LaunchpadApiException.class)
        .hasMessageContaining("HTTP 400")
        .hasMessageContaining("An identical build of this OCI recipe is already pending.")
        .satisfies(e -> assertThat(((RemoteServiceException) e).serverText())
            .isEqualTo("An identical build of this OCI recipe is already pending."));
  }

  @Test
  void expiredTokenIsAnAuthenticationErrorWithAHint() {
    server.enqueue(text(401, "Expired token (TOK)."));
    assertThatThrownBy(() -> join(client.get(root.resolve("r"))))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Expired token")
        .hasMessageContaining("image-builder login")
        .hasMessageNotContaining("SEC");
  }

  @Test
  void tokenEchoedByLaunchpadIsRedacted() {
    server.enqueue(text(401, "Expired token (TOK)."));
    LaunchpadClient c = new LaunchpadClient(root, new JdkHttpService(2),
        new Credentials("image-builder", "T0KEN-1234", "S3CRET-5678"), Clock.systemUTC(), 1);
    server.enqueue(text(401, "Expired token (T0KEN-1234). Secret S3CRET-5678"));
    join(client.get(root.api()).exceptionally(e -> null));
    assertThatThrownBy(() -> join(c.get(root.resolve("r"))))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Expired token (<redacted>).")
        .hasMessageNotContaining("T0KEN-1234").hasMessageNotContaining("S3CRET-5678")
        .satisfies(e -> assertThat(((RemoteServiceException) e).serverText()).doesNotContain("T0KEN-1234"));
  }

  @Test
  void anonymousWriteGetsAHintToConfigureCredentials() {
    LaunchpadClient anon = new LaunchpadClient(root, new JdkHttpService(), null, Clock.systemUTC(), 1);
    server.enqueue(text(401, "Unauthorized"));
    assertThatThrownBy(() -> join(anon.post(root.resolve("r"), "cancel", Map.of())))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("launchpad.credentials-file");
  }

  @Test
  void notFoundAndPreconditionFailedCarryStatusAndText() {
    server.enqueue(text(404, "No such OCI recipe exists for this OCI project"));
    assertThatThrownBy(() -> join(client.get(root.resolve("r"))))
        .isInstanceOf(LaunchpadApiException.class)
        .satisfies(e -> assertThat(((RemoteServiceException) e).status()).isEqualTo(404))
        .hasMessageContaining("No such OCI recipe");
    server.enqueue(text(412, "Precondition Failed"));
    assertThatThrownBy(() -> join(client.post(root.resolve("r"), "x", Map.of())))
        .satisfies(e -> assertThat(((RemoteServiceException) e).status()).isEqualTo(412));
  }

  @Test
  void serverErrorsCarryOopsIdAndRetryAfter() {
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "900")
        .setHeader("X-Lazr-OopsId", "OOPS-abc123").body("RequestExpired").build());
    assertThatThrownBy(() -> join(client.post(root.resolve("r"), "requestBuilds", Map.of())))
        .isInstanceOf(LaunchpadApiException.class)
        .hasMessageContaining("OOPS-abc123")
        .hasMessageContaining("RequestExpired")
        .satisfies(e -> assertThat(((LaunchpadApiException) e).retryAfter()).isEqualTo(Duration.ofSeconds(900)));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void postsAreNeverRetriedButGetsAre() throws Exception {
    server.enqueue(text(503, "offline"));
    server.enqueue(json("{\"ok\": true}"));
    assertThat(join(client.get(root.resolve("r"))).get("ok").asBoolean()).isTrue();
    assertThat(server.getRequestCount()).isEqualTo(2);
    server.enqueue(text(502, "bad gateway"));
    assertThatThrownBy(() -> join(client.post(root.resolve("r"), "requestBuilds", Map.of())))
        .hasMessageContaining("502");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void collectionSizeReadsTotalSize() {
    server.enqueue(json("{\"start\": 0, \"total_size\": 2, \"entries\": [{}]}"));
    assertThat(join(client.collectionSize(root.resolve("r/push-rules")))).isEqualTo(2);
  }

  @Test
  void serviceRootsAndWebRoots() {
    assertThat(ServiceRoot.parse("k", "production", null))
        .isEqualTo(new ServiceRoot(URI.create("https://api.launchpad.net/devel/"), URI.create("https://launchpad.net/")));
    assertThat(ServiceRoot.parse("k", "staging", null).web()).isEqualTo(URI.create("https://staging.launchpad.net/"));
    assertThat(ServiceRoot.parse("k", "http://127.0.0.1:8080/devel", null))
        .isEqualTo(new ServiceRoot(URI.create("http://127.0.0.1:8080/devel/"), URI.create("http://127.0.0.1:8080/")));
    assertThat(ServiceRoot.parse("k", "production", "https://web.example/").web()).isEqualTo(URI.create("https://web.example/"));
    assertThat(root.resolve("~o/p/+oci/x/+recipe/r").toString()).isEqualTo(root.api() + "~o/p/+oci/x/+recipe/r");
    assertThat(root.resolve("https://elsewhere.example/devel/r").toString()).isEqualTo("https://elsewhere.example/devel/r");
    assertThatThrownBy(() -> ServiceRoot.parse("launchpad.service-root", "prod", null))
        .hasMessageContaining("launchpad.service-root").hasMessageContaining("'prod'");
  }

  @Test
  void connectionRefusedIsCertainlyNotSent() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ServiceRoot dead = ServiceRoot.parse("k", "http://127.0.0.1:" + port + "/devel/", null);
    LaunchpadClient c = new LaunchpadClient(dead, new JdkHttpService(0), null, Clock.systemUTC(), 1);
    Throwable t = c.post(dead.resolve("r"), "requestBuilds", Map.of()).handle((v, e) -> e).join();
    assertThat(LaunchpadClient.unwrap(t)).isInstanceOf(RemoteServiceException.class);
    assertThat(((RemoteServiceException) LaunchpadClient.unwrap(t)).status()).isZero();
    assertThat(LaunchpadClient.certainlyNotSent(t)).isTrue();
  }
}
