package dev.imagebuilder.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.registry.RegistryException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token server as the registry's Bearer challenge names it: its answers are retried like the
 * registry's (429, 502, 503, 504, connection failures, bounded, honouring {@code Retry-After}),
 * but it gets no auth challenge handling and its redirects are not followed, so the Basic
 * credentials sent to it never go anywhere else.
 */
class TokenServerTest {
  private static final Credential CREDENTIAL = new Credential("builder", "s3cret", "test");

  private final MockWebServer server = new MockWebServer();
  private final BlockingQueue<MockResponse> tokenAnswers = new LinkedBlockingQueue<>();
  private final List<RecordedRequest> seen = new CopyOnWriteArrayList<>();
  private final List<Duration> waits = new ArrayList<>();
  private URI realm;

  @BeforeEach
  void start() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        seen.add(request);
        String path = request.getUrl().encodedPath();
        if (path.equals("/token")) {
          MockResponse next = tokenAnswers.poll();
          return next != null ? next : new MockResponse.Builder().code(500).body("no answer scripted").build();
        }
        if (path.startsWith("/v2/") && "Bearer t0k".equals(request.getHeaders().get("Authorization"))) {
          return new MockResponse.Builder().code(200).body("ok").build();
        }
        if (path.startsWith("/v2/")) {
          return new MockResponse.Builder().code(401)
              .setHeader("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"fake\"")
              .body("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}").build();
        }
        return new MockResponse.Builder().code(404).body("elsewhere").build();
      }
    });
    server.start(InetAddress.getLoopbackAddress(), 0);
    realm = URI.create(base() + "/token");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String base() {
    String u = server.url("/").toString();
    return u.substring(0, u.length() - 1);
  }

  private RegistryHttp http(int maxAttempts) {
    return new RegistryHttp(HttpClient.newHttpClient(),
        new CredentialStore(Map.of(server.url("/").url().getAuthority(), CREDENTIAL), List.of(), List.of()),
        new RegistryHttp.RetryPolicy(maxAttempts, Duration.ofSeconds(30), Duration.ofSeconds(1)), waits::add,
        Clock.systemUTC(), false, Duration.ofSeconds(30));
  }

  private RegistryHttp.Answer get(RegistryHttp http) {
    URI uri = URI.create(base() + "/v2/ubuntu/redis/manifests/edge");
    return http.exchange(RegistryHttp.Call.of("GET", uri, RegistryClient.pull("ubuntu/redis"), "ubuntu/redis"), 1 << 16);
  }

  private List<RecordedRequest> tokenRequests() {
    return seen.stream().filter(r -> r.getUrl().encodedPath().equals("/token")).toList();
  }

  @Test
  void busyAndUnavailableTokenServersAreRetriedHonouringRetryAfter() {
    tokenAnswers.add(new MockResponse.Builder().code(429).body("slow down").build());
    tokenAnswers.add(new MockResponse.Builder().code(503).setHeader("Retry-After", "7").body("later").build());
    tokenAnswers.add(new MockResponse.Builder().code(200).body("{\"token\":\"t0k\",\"expires_in\":300}").build());

    RegistryHttp.Answer a = get(http(5));

    assertThat(a.status()).isEqualTo(200);
    // No Retry-After: the first backoff; then the server's 7 s.
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(7));
    assertThat(tokenRequests()).hasSize(3).allSatisfy(r -> {
      assertThat(r.getHeaders().get("Authorization")).isEqualTo(CREDENTIAL.basicHeader());
      assertThat(r.getUrl().queryParameter("scope")).isEqualTo("repository:ubuntu/redis:pull");
    });
  }

  @Test
  void tokenServerRetriesAreBoundedAndEndInItsError() {
    for (int i = 0; i < 3; i++) {
      tokenAnswers.add(new MockResponse.Builder().code(502).body("bad gateway").build());
    }

    assertThatThrownBy(() -> get(http(3)))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(502))
        .hasMessageContaining("bad gateway");
    assertThat(tokenRequests()).hasSize(3);
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void aTokenServersRedirectIsNotFollowedSoTheCredentialsStayThere() {
    tokenAnswers.add(new MockResponse.Builder().code(302).setHeader("Location", "/elsewhere").build());

    assertThatThrownBy(() -> get(http(5)))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(302))
        .hasMessageNotContaining("s3cret");
    assertThat(seen).noneMatch(r -> r.getUrl().encodedPath().equals("/elsewhere"));
    assertThat(waits).isEmpty();
  }

  @Test
  void aTokenServersChallengeIsNotAnsweredTheCredentialsAreWrong() {
    tokenAnswers.add(new MockResponse.Builder().code(401)
        .setHeader("WWW-Authenticate", "Basic realm=\"tokens\"").body("who are you").build());

    assertThatThrownBy(() -> get(http(5)))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("the token server refused the credentials from test")
        .hasMessageNotContaining("s3cret");
    assertThat(tokenRequests()).hasSize(1);
  }

  @Test
  void anUnreachableTokenServerIsRetriedThenFailsNamingTheConnectionError() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    realm = URI.create("http://127.0.0.1:" + closedPort + "/token");

    assertThatThrownBy(() -> get(http(3)))
        .isInstanceOfSatisfying(RemoteServiceException.class, e -> assertThat(e.status()).isZero())
        .hasMessageContaining("ConnectException")
        .hasMessageContaining("127.0.0.1:" + closedPort);
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }
}
