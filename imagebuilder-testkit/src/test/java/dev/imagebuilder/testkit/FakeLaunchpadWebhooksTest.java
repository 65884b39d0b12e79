package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake's webhooks through its web service, delivered to a JDK HTTP server as Launchpad does. */
class FakeLaunchpadWebhooksTest {
  record Received(Map<String, List<String>> headers, String body) {}

  FakeLaunchpad lp;
  Client client;
  MockWebServer receiver;
  final List<Received> received = new CopyOnWriteArrayList<>();
  volatile int answer = 204;
  RecipeHandle recipe;

  @BeforeEach
  void setUp() throws Exception {
    lp = FakeLaunchpad.start();
    lp.webhooks().retryUnit(Duration.ofMillis(50));
    client = new Client(lp.credentials());
    recipe = lp.addRecipe("udi", "udi", "redis", "redis-22.04").processors("amd64")
        .pushRule("https://registry.example", "ubuntu/redis", "bot");
    receiver = new MockWebServer();
    receiver.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        received.add(new Received(request.getHeaders().toMultimap(), request.getBody() == null ? "" : request.getBody().utf8()));
        return new MockResponse.Builder().code(answer).build();
      }
    });
    receiver.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void tearDown() {
    receiver.close();
    lp.close();
  }

  String hook(String secret) {
    HttpResponse<String> r = client.post(recipe.url(), "newWebhook", "delivery_url",
        "http://127.0.0.1:" + receiver.getPort() + "/hook", "event_types", "[\"oci-recipe:build:0.1\"]",
        "active", "true", "secret", secret);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return r.headers().firstValue("Location").orElseThrow();
  }

  @Test
  void buildEventsAreDeliveredSignedAsLaunchpadWritesThem() throws Exception {
    String hook = hook("sekrit");
    JsonNode listed = client.getJson(recipe.url() + "/webhooks");
    assertThat(listed.path("total_size").asInt()).isEqualTo(1);
    assertThat(listed.path("entries").get(0).has("secret")).as("the secret is never shown").isFalse();
    assertThat(listed.path("entries").get(0).path("self_link").asText()).isEqualTo(hook);

    client.post(recipe.url(), "requestBuilds");
    lp.advancePhases(2); // the request's job creates the build; one phase later it is building
    Await.until("both deliveries received", () -> received.size() >= 2);

    Received created = received.get(0);
    assertThat(created.body()).startsWith("{\"recipe_build\": \"/~udi/udi/+oci/redis/+recipe/redis-22.04/+build/")
        .contains("\"action\": \"created\", \"recipe\": \"/~udi/udi/+oci/redis/+recipe/redis-22.04\", \"build_request\": \"/~udi/")
        .endsWith("\"status\": \"Needs building\", \"registry_upload_status\": \"Unscheduled\"}");
    assertThat(header(created, "X-Launchpad-Event-Type")).isEqualTo("oci-recipe:build:0.1");
    assertThat(header(created, "X-Hub-Signature")).isEqualTo("sha1=" + hmacSha1("sekrit", created.body()));
    assertThat(header(created, "X-Launchpad-Delivery")).matches("\\d+");
    assertThat(received.get(1).body()).contains("\"action\": \"status-changed\"").contains("\"status\": \"Currently building\"");

    HttpResponse<String> deleted = client.send(HttpRequest.newBuilder(URI.create(hook)).DELETE());
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(lp.webhooks().active()).isZero();
    int before = received.size();
    lp.advancePhases(5);
    assertThat(lp.webhooks().attempts()).hasSize(before);
  }

  @Test
  void failedAndDroppedDeliveriesAreRetried() {
    hook("sekrit");
    answer = 500;
    lp.webhooks().dropNext(1);
    client.post(recipe.url(), "requestBuilds");
    lp.advancePhases(1);
    Await.until("three delivery attempts", () -> lp.webhooks().attempts().size() >= 3);
    answer = 204;
    Await.until("a delivered attempt",
        () -> lp.webhooks().attempts().stream().anyMatch(a -> a.outcome().equals("delivered")));
    assertThat(lp.webhooks().attempts()).extracting(FakeWebhooks.Attempt::outcome)
        .startsWith("dropped", "Bad HTTP response: 500");
    assertThat(lp.webhooks().attempts()).extracting(FakeWebhooks.Attempt::deliveryId).containsOnly(
        lp.webhooks().attempts().get(0).deliveryId());
  }

  @Test
  void withoutASecretNothingIsSigned() {
    client.post(recipe.url(), "newWebhook", "delivery_url",
        "http://127.0.0.1:" + receiver.getPort() + "/hook", "event_types", "[\"oci-recipe:build:0.1\"]");
    client.post(recipe.url(), "requestBuilds");
    lp.advancePhases(1);
    Await.until("a delivery received", () -> !received.isEmpty());
    assertThat(received.get(0).headers().keySet()).noneMatch(k -> k.equalsIgnoreCase("X-Hub-Signature"));
  }

  @Test
  void badWebhooksAreRefusedAsLaunchpadDoes() {
    HttpResponse<String> r = client.post(recipe.url(), "newWebhook", "delivery_url", "ftp://x.example/",
        "event_types", "[\"oci-recipe:build:0.1\"]");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("delivery_url");
    assertThat(Client.anonymous().post(recipe.url(), "newWebhook", "delivery_url", "https://x.example/",
        "event_types", "[\"oci-recipe:build:0.1\"]").statusCode()).isEqualTo(401);
  }

  private static String header(Received r, String name) {
    return r.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().get(0)).findFirst().orElse(null);
  }

  private static String hmacSha1(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }
}
