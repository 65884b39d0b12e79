package dev.imagebuilder.launchpad.internal.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The receiver over real HTTP, with the signatures of the reference's test vectors. */
class WebhookReceiverTest {
  /** Launchpad's own create_request output (launchpad-webhooks.md §3), byte for byte. */
  static final String BODY = "{\"recipe_build\": \"/~ubuntu-docker-images/ubuntu-docker-images/+oci/redis/+recipe/redis-7.0-22.04/+build/12345\","
      + " \"action\": \"status-changed\", \"recipe\": \"/~ubuntu-docker-images/ubuntu-docker-images/+oci/redis/+recipe/redis-7.0-22.04\","
      + " \"build_request\": \"/~ubuntu-docker-images/ubuntu-docker-images/+oci/redis/+recipe/redis-7.0-22.04/+build-request/678\","
      + " \"status\": \"Successfully built\", \"registry_upload_status\": \"Uploaded\"}";

  private final WebhookReceiver receiver = new WebhookReceiver(new InetSocketAddress("127.0.0.1", 0), null);
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<WebhookDelivery> delivered = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    receiver.close();
  }

  @Test
  void signaturesMatchLaunchpadsTestVectors() {
    assertThat(WebhookSignature.sign("sekrit", "{\"ping\": true}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("sha1=1f84d89bbe1829e5842139181297352653e26a8d");
    assertThat(WebhookSignature.sign("sekrit", BODY.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("sha1=5cbe18a40c95e48741397022b13c5c0c5fdd3140");
    assertThat(WebhookSignature.verifies("sekrit", BODY.getBytes(StandardCharsets.UTF_8),
        "sha1=5cbe18a40c95e48741397022b13c5c0c5fdd3140")).isTrue();
    assertThat(WebhookSignature.verifies("other", BODY.getBytes(StandardCharsets.UTF_8),
        "sha1=5cbe18a40c95e48741397022b13c5c0c5fdd3140")).isFalse();
    assertThat(WebhookSignature.verifies("sekrit", BODY.getBytes(StandardCharsets.UTF_8), null)).isFalse();
  }

  @Test
  void aSignedDeliveryReachesItsSubscriber() throws Exception {
    WebhookReceiver.Subscription s = receiver.subscribe("b-1-r0", delivered::add);
    HttpResponse<Void> r = post(s.deliveryUrl(), BODY, WebhookSignature.sign(s.secret(), BODY.getBytes(StandardCharsets.UTF_8)));
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(delivered).singleElement().satisfies(d -> {
      assertThat(d.buildPath()).endsWith("/+build/12345");
      assertThat(d.action()).isEqualTo("status-changed");
      assertThat(d.status()).isEqualTo("Successfully built");
      assertThat(d.uploadStatus()).isEqualTo("Uploaded");
      assertThat(d.requestPath()).endsWith("/+build-request/678");
    });
  }

  @Test
  void whatDoesNotVerifyIsIgnored() throws Exception {
    WebhookReceiver.Subscription s = receiver.subscribe("b-1-r0", delivered::add);
    String good = WebhookSignature.sign(s.secret(), BODY.getBytes(StandardCharsets.UTF_8));
    assertThat(post(s.deliveryUrl(), BODY, null).statusCode()).as("unsigned").isEqualTo(401);
    assertThat(post(s.deliveryUrl(), BODY, WebhookSignature.sign("guess", BODY.getBytes(StandardCharsets.UTF_8))).statusCode())
        .as("signed with another secret").isEqualTo(401);
    assertThat(post(s.deliveryUrl(), BODY.replace("Uploaded", "Failed to upload"), good).statusCode())
        .as("body changed after signing").isEqualTo(401);
    assertThat(post(s.deliveryUrl().resolve("elsewhere"), BODY, good).statusCode()).as("unknown path").isEqualTo(401);
    s.close();
    assertThat(post(s.deliveryUrl(), BODY, WebhookSignature.sign("guess", BODY.getBytes(StandardCharsets.UTF_8))).statusCode())
        .as("after the build, signed with another secret").isEqualTo(401);
    assertThat(delivered).isEmpty();
    assertThat(receiver.ignored()).isEqualTo(5);
  }

  @Test
  void aDeliveryAfterItsBuildEndedIsAcknowledgedAndNotActedOn() throws Exception {
    // A read can see the end before the deliveries come, and Launchpad retries any answer but
    // 2xx for an hour: a delivery that verifies is answered 204, so it is not sent again.
    WebhookReceiver.Subscription s = receiver.subscribe("b-1-r0", delivered::add);
    String good = WebhookSignature.sign(s.secret(), BODY.getBytes(StandardCharsets.UTF_8));
    s.close();
    assertThat(post(s.deliveryUrl(), BODY, good).statusCode()).isEqualTo(204);
    assertThat(post(s.deliveryUrl(), BODY, null).statusCode()).as("unsigned").isEqualTo(401);
    assertThat(delivered).isEmpty();
    assertThat(receiver.ignored()).as("the unsigned one only").isEqualTo(1);
  }

  @Test
  void eachSubscriptionHasItsOwnPathAndSecret() {
    WebhookReceiver.Subscription a = receiver.subscribe("b-1-r0", delivered::add);
    WebhookReceiver.Subscription b = receiver.subscribe("b-1-r1", delivered::add);
    assertThat(a.deliveryUrl()).isNotEqualTo(b.deliveryUrl());
    assertThat(a.secret()).isNotEqualTo(b.secret()).hasSize(40);
    assertThat(a.toString()).doesNotContain(a.secret());
  }

  private HttpResponse<Void> post(URI url, String body, String signature) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).header("Content-Type", "application/json")
        .header("X-Launchpad-Event-Type", "oci-recipe:build:0.1").header("X-Launchpad-Delivery", "1")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header("X-Hub-Signature", signature);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding());
  }
}
