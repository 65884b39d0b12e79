package dev.imagebuilder.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.testkit.FakeRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InsufficientScopeTest {
  @Test
  void aPullTokenUsedForAPushIsReplacedWithOneForTheChallengedScope() {
    try (FakeRegistry r = FakeRegistry.builder().bearer("builder", "s3cret").build().start()) {
      r.pushImage("ubuntu/redis", "edge", List.of("amd64"));
      RegistryHttp http = new RegistryHttp(HttpClient.newHttpClient(),
          new CredentialStore(Map.of(r.host(), new Credential("builder", "s3cret", "test")), List.of(), List.of()),
          new RegistryHttp.RetryPolicy(3, Duration.ZERO, Duration.ZERO), d -> { }, Clock.systemUTC(), false,
          Duration.ofSeconds(30));
      RegistryClient client = new RegistryClient(http);
      Manifest m = client.getManifest(r.uri(), "ubuntu/redis", "edge");
      URI put = URI.create(r.uri() + "/v2/ubuntu/redis/manifests/beta");

      // Asks for a pull token only, as a client that did not know it would write.
      RegistryHttp.Answer a = http.exchange(RegistryHttp.Call.of("PUT", put, RegistryClient.pull("ubuntu/redis"),
              "ubuntu/redis").header("Content-Type", m.mediaType())
          .body(() -> HttpRequest.BodyPublishers.ofByteArray(m.bytes())), 1 << 16);

      assertThat(a.status()).isEqualTo(201);
      assertThat(r.digest("ubuntu/redis", "beta")).contains(m.digest());
      List<String> puts = r.requests().stream().filter(s -> s.startsWith("PUT")).toList();
      assertThat(puts).hasSize(2);
      assertThat(r.requests()).anyMatch(s -> s.startsWith("GET /token") && s.contains("pull%2Cpush"));
    }
  }
}
