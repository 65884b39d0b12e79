package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Paging, ETags, OAuth, the token pages, fault injection and the journal. */
class FakeLaunchpadHttpTest {
  private FakeLaunchpad lp;
  private Client client;
  private RecipeHandle recipe;
  private String root;

  @BeforeEach
  void start() {
    lp = FakeLaunchpad.start();
    client = new Client(lp.credentials());
    recipe = lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04")
        .processors("amd64", "arm64", "ppc64el", "s390x", "riscv64")
        .pushRule("https://registry.example", "ubuntu/redis", "bot");
    root = lp.serviceRoot().toString();
  }

  @AfterEach
  void stop() {
    lp.close();
  }

  // ---- collections ---------------------------------------------------------------------------

  @Test
  void buildsCollectionIsPaged() {
    String request = requestAndRun();

    JsonNode first = client.getJson(request + "/builds?ws.size=2");
    assertThat(first.get("total_size").asInt()).isEqualTo(5);
    assertThat(first.get("start").asInt()).isZero();
    assertThat(first.get("entries")).hasSize(2);
    List<String> archs = new ArrayList<>();
    JsonNode page = first;
    while (true) {
      page.get("entries").forEach(b -> archs.add(b.get("arch_tag").asText()));
      if (!page.has("next_collection_link")) {
        break;
      }
      String next = page.get("next_collection_link").asText();
      assertThat(next).startsWith(request + "/builds?");
      page = client.getJson(next);
    }
    assertThat(archs).containsExactly("amd64", "arm64", "ppc64el", "s390x", "riscv64");
    assertThat(page.get("start").asInt()).isEqualTo(4);
    assertThat(page.has("prev_collection_link")).isTrue();

    JsonNode offset = client.getJson(request + "/builds?ws.start=3&ws.size=300");
    assertThat(offset.get("entries")).hasSize(2);
    assertThat(offset.has("next_collection_link")).isFalse();
  }

  @Test
  void pageSizeAbove300IsRefused() {
    String request = requestAndRun();

    HttpResponse<String> r = client.get(request + "/builds?ws.size=301");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(r.body()).isEqualTo("Maximum for \"ws.size\" parameter is 300.");
    assertThat(client.get(request + "/builds?ws.start=x").statusCode()).isEqualTo(400);
  }

  @Test
  void collectionEntriesCarryTheEntryEtag() {
    String request = requestAndRun();
    JsonNode entry = client.getJson(request + "/builds").get("entries").get(0);

    HttpResponse<String> direct = client.get(entry.get("self_link").asText());

    assertThat(entry.get("http_etag").asText()).isEqualTo(direct.headers().firstValue("ETag").orElseThrow());
  }

  // ---- ETags ---------------------------------------------------------------------------------

  @Test
  void etagGives304UntilAFieldChanges() {
    String build = client.getJson(requestAndRun() + "/builds").get("entries").get(0).get("self_link").asText();
    HttpResponse<String> first = client.get(build);
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).matches("\"[0-9a-f]{40}-[0-9a-f]{40}\"");
    assertThat(Client.parse(first.body()).get("http_etag").asText()).isEqualTo(etag);

    HttpResponse<String> unchanged = client.get(build, "If-None-Match", etag);
    assertThat(unchanged.statusCode()).isEqualTo(304);
    assertThat(unchanged.body()).isEmpty();

    lp.advancePhases(1);
    HttpResponse<String> changed = client.get(build, "If-None-Match", etag);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
    assertThat(Client.parse(changed.body()).get("buildstate").asText()).isEqualTo("Currently building");

    HttpResponse<String> stale = client.get(build, "If-None-Match", "\"something-else\"");
    assertThat(stale.statusCode()).isEqualTo(200);
  }

  /**
   * As on Launchpad (lp.buildmaster.queuedepth): a queued build's eta is the time of the request
   * plus the estimated wait for a builder (whole seconds, at least 5) plus the estimated duration,
   * so it moves with the clock, and the build's ETag with it, while its state stays the same.
   */
  @Test
  void aQueuedBuildsEtaAndEtagMoveWithTheClock() {
    String build = client.getJson(requestAndRun() + "/builds").get("entries").get(0).get("self_link").asText();
    HttpResponse<String> first = client.get(build);
    JsonNode queued = Client.parse(first.body());
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(queued.get("buildstate").asText()).isEqualTo("Needs building");
    assertThat(queued.get("estimate").asBoolean()).isTrue();
    assertThat(queued.get("date").asText()).isEqualTo(queued.get("eta").asText());
    assertThat(client.get(build, "If-None-Match", etag).statusCode()).as("the clock did not move").isEqualTo(304);

    lp.advance(Duration.ofMillis(1_500));
    HttpResponse<String> later = client.get(build, "If-None-Match", etag);
    assertThat(later.statusCode()).isEqualTo(200);
    JsonNode moved = Client.parse(later.body());
    assertThat(moved.get("buildstate").asText()).isEqualTo("Needs building");
    // The wait is truncated to whole seconds, so the estimate moves back and forth.
    assertThat(moved.get("eta").asText()).isNotEqualTo(queued.get("eta").asText());

    lp.advancePhases(1); // dispatched: its start plus the estimated duration, which stays put
    JsonNode building = client.getJson(build);
    assertThat(building.get("buildstate").asText()).isEqualTo("Currently building");
    String eta = building.get("eta").asText();
    lp.advance(Duration.ofSeconds(3));
    assertThat(client.getJson(build).get("eta").asText()).isEqualTo(eta);
  }

  /**
   * As on Launchpad ({@code OCIRecipeBuild.estimateDuration}): a running build's eta is its start
   * plus 30 minutes while its recipe has no successful build on the architecture, then plus the
   * median length of the last ones (start to end, here three phases: building, gathering,
   * uploading).
   */
  @Test
  void aRunningBuildsEtaComesFromTheRecipesEarlierBuilds() {
    String first = client.getJson(requestAndRun() + "/builds").get("entries").get(0).get("self_link").asText();
    lp.advancePhases(1);
    JsonNode running = client.getJson(first);
    assertThat(running.get("buildstate").asText()).isEqualTo("Currently building");
    assertThat(instant(running, "eta")).isEqualTo(instant(running, "date_started").plus(Duration.ofMinutes(30)));

    lp.advancePhases(10); // built and uploaded
    JsonNode built = client.getJson(first);
    assertThat(built.get("registry_upload_status").asText()).isEqualTo("Uploaded");
    assertThat(built.get("eta").isNull()).as("no estimate once it has ended").isTrue();
    Duration length = Duration.between(instant(built, "date_started"), instant(built, "datebuilt"));
    assertThat(length).isEqualTo(lp.phase().multipliedBy(3));

    String second = client.getJson(requestAndRun() + "/builds").get("entries").get(0).get("self_link").asText();
    lp.advancePhases(1);
    JsonNode next = client.getJson(second);
    assertThat(next.get("arch_tag").asText()).isEqualTo(built.get("arch_tag").asText());
    assertThat(instant(next, "eta")).isEqualTo(instant(next, "date_started").plus(length));
  }

  private static Instant instant(JsonNode entry, String field) {
    return OffsetDateTime.parse(entry.get(field).asText()).toInstant();
  }

  @Test
  void buildRequestEtagChangesWhenItCompletes() {
    String request = client.post(root + recipe.path(), "requestBuilds").headers().firstValue("Location").orElseThrow();
    String etag = client.get(request).headers().firstValue("ETag").orElseThrow();
    assertThat(client.get(request, "If-None-Match", etag).statusCode()).isEqualTo(304);

    lp.advancePhases(1);

    HttpResponse<String> r = client.get(request, "If-None-Match", etag);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Client.parse(r.body()).get("status").asText()).isEqualTo("Completed");
  }

  // ---- OAuth ---------------------------------------------------------------------------------

  @Test
  void wrongSecretIs401WithLaunchpadsText() {
    LaunchpadCredentials good = lp.credentials();
    client.as(new LaunchpadCredentials(good.consumerKey(), good.accessToken(), "not-the-secret"));

    HttpResponse<String> r = client.get(root + recipe.path());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("OAuth realm=\"https://api.launchpad.net\"");
    assertThat(r.body()).isEqualTo("Invalid signature.");
  }

  @Test
  void unknownTokenIs401() {
    client.as(new LaunchpadCredentials(FakeLaunchpad.CONSUMER_KEY, "nosuchtoken", "x"));

    HttpResponse<String> r = client.get(root);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("Unknown access token (nosuchtoken).");
  }

  @Test
  void expiredTokenIs401UntilRenewed() {
    String token = lp.credentials().accessToken();
    lp.expireToken();

    HttpResponse<String> r = client.post(root + recipe.path(), "requestBuilds");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("Expired token (" + token + ").");
    assertThat(lp.operationCount("requestBuilds")).isZero();
    client.as(lp.renewCredentials());
    assertThat(client.post(root + recipe.path(), "requestBuilds").statusCode()).isEqualTo(201);
  }

  @Test
  void anonymousMayReadButNotWrite() {
    Client anonymous = Client.anonymous();
    assertThat(anonymous.get(root + recipe.path()).statusCode()).isEqualTo(200);

    HttpResponse<String> write = anonymous.post(root + recipe.path(), "requestBuilds");
    assertThat(write.statusCode()).isEqualTo(401);
    assertThat(write.headers().firstValue("Content-Type")).hasValue("text/plain");

    // launchpadlib's anonymous form: empty token, signature "&".
    HttpResponse<String> signedAnonymous = anonymous.send(HttpRequest.newBuilder(URI.create(root + recipe.path()))
        .header("Authorization", Client.authorization("just-browsing", "", ""))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("ws.op=requestBuilds")));
    assertThat(signedAnonymous.statusCode()).isEqualTo(401);
    assertThat(lp.operationCount("requestBuilds")).isZero();
    assertThat(lp.requests()).filteredOn(RecordedCall::anonymous).hasSize(3);
  }

  @Test
  void onlyPlaintextSignaturesAreAccepted() {
    HttpResponse<String> r = Client.anonymous().send(HttpRequest.newBuilder(URI.create(root))
        .header("Authorization", "OAuth oauth_consumer_key=\"c\", oauth_token=\"t\", oauth_signature_method=\"HMAC-SHA1\", oauth_signature=\"x\""));

    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void tokenPagesIssueAccessTokensAfterApproval() {
    Client web = Client.anonymous();
    HttpResponse<String> requestToken = web.send(form(lp.webRoot() + "+request-token",
        "oauth_consumer_key=my-app&oauth_signature_method=PLAINTEXT&oauth_signature=%26"));
    assertThat(requestToken.statusCode()).isEqualTo(200);
    String[] parts = requestToken.body().split("&");
    String token = parts[0].substring("oauth_token=".length());
    String secret = parts[1].substring("oauth_token_secret=".length());
    String exchange = "oauth_consumer_key=my-app&oauth_token=" + token
        + "&oauth_signature_method=PLAINTEXT&oauth_signature=%26" + secret;

    HttpResponse<String> early = web.send(form(lp.webRoot() + "+access-token", exchange));
    assertThat(early.statusCode()).isEqualTo(401);
    assertThat(early.body()).isEqualTo("Request token has not yet been reviewed. Try again later.");

    assertThat(web.get(lp.webRoot() + "+authorize-token?oauth_token=" + token).body()).contains("my-app");
    assertThat(lp.reviewPendingTokens(true)).isEqualTo(1);
    HttpResponse<String> access = web.send(form(lp.webRoot() + "+access-token", exchange));
    assertThat(access.statusCode()).isEqualTo(200);
    assertThat(access.body()).matches("oauth_token=\\w+&oauth_token_secret=\\w+&lp.context=None");

    String accessToken = access.body().split("&")[0].substring("oauth_token=".length());
    String accessSecret = access.body().split("&")[1].substring("oauth_token_secret=".length());
    Client app = new Client(new LaunchpadCredentials("my-app", accessToken, accessSecret));
    assertThat(app.post(root + recipe.path(), "requestBuilds").statusCode()).isEqualTo(201);
  }

  @Test
  void declinedRequestTokenIs403() {
    Client web = Client.anonymous();
    String body = web.send(form(lp.webRoot() + "+request-token",
        "oauth_consumer_key=my-app&oauth_signature_method=PLAINTEXT&oauth_signature=%26")).body();
    String token = body.split("&")[0].substring("oauth_token=".length());
    String secret = body.split("&")[1].substring("oauth_token_secret=".length());
    web.send(form(lp.webRoot() + "+authorize-token", "oauth_token=" + token + "&field.actions.UNAUTHORIZED=No"));

    HttpResponse<String> r = web.send(form(lp.webRoot() + "+access-token", "oauth_consumer_key=my-app&oauth_token="
        + token + "&oauth_signature_method=PLAINTEXT&oauth_signature=%26" + secret));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("End-user refused to authorize request token.");
  }

  // ---- faults --------------------------------------------------------------------------------

  @Test
  void serviceUnavailableBurstWithRetryAfter() {
    lp.faults().serviceUnavailable(2, Duration.ofSeconds(7));

    HttpResponse<String> first = client.get(root);
    HttpResponse<String> second = client.post(root + recipe.path(), "requestBuilds");
    HttpResponse<String> third = client.get(root);

    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(first.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(first.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(lp.operationCount("requestBuilds")).as("a 503 is not acted on").isZero();
    assertThat(lp.buildRequestStatuses(recipe)).isEmpty();
  }

  @Test
  void serverErrorCarriesAnOopsId() {
    lp.faults().serverErrors(1);

    HttpResponse<String> r = client.get(root + recipe.path());

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.headers().firstValue("X-Lazr-OopsId").orElseThrow()).matches("OOPS-[0-9a-f]+");
    assertThat(client.get(root + recipe.path()).statusCode()).isEqualTo(200);
  }

  @Test
  void answerFaultGivesThatStatusAndTextWithoutAnOopsIdAndIsNotActedOn() {
    lp.faults().on("requestBuilds").answer(1, 400, "An identical build of this OCI recipe is already pending.");

    HttpResponse<String> r = client.post(root + recipe.path(), "requestBuilds");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("An identical build of this OCI recipe is already pending.");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(r.headers().firstValue("X-Lazr-OopsId")).isEmpty();
    assertThat(lp.buildRequestStatuses(recipe)).isEmpty();
    assertThat(lp.requests()).last().extracting(RecordedCall::fault, RecordedCall::processed)
        .containsExactly("ANSWER", false);
    assertThat(client.post(root + recipe.path(), "requestBuilds").statusCode()).isEqualTo(201);
  }

  @Test
  void faultsUnderAPathHitThatResourceAndWhatIsBelowItOnly() {
    RecipeHandle other = lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04-extra");
    lp.faults().under(recipe.path() + "/push_rules").answer(2, 500, "proxy error");
    lp.faults().under("/" + recipe.path() + "/").serverErrors(1);

    assertThat(client.get(root + other.path() + "/push_rules").statusCode()).as("another recipe").isEqualTo(200);
    assertThat(client.get(root).statusCode()).as("the service root").isEqualTo(200);
    HttpResponse<String> first = client.get(root + recipe.path() + "/push_rules");
    assertThat(first.statusCode()).isEqualTo(500);
    assertThat(first.body()).isEqualTo("proxy error");
    assertThat(client.get(root + recipe.path() + "/push_rules?ws.size=5").body()).isEqualTo("proxy error");
    HttpResponse<String> recipeItself = client.get(root + recipe.path());
    assertThat(recipeItself.statusCode()).isEqualTo(500);
    assertThat(recipeItself.headers().firstValue("X-Lazr-OopsId")).isPresent();
    assertThat(client.get(root + recipe.path()).statusCode()).as("all used up").isEqualTo(200);
    assertThatThrownBy(() -> lp.faults().under("/")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lp.faults().answer(1, 99, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99");
  }

  @Test
  void resetBeforeProcessingLeavesNothingBehind() {
    lp.faults().on("requestBuilds").resetConnections(1);

    assertThat(client.get(root).statusCode()).as("other requests are not hit").isEqualTo(200);
    assertThatThrownBy(() -> client.post(root + recipe.path(), "requestBuilds")).isInstanceOf(UncheckedIOException.class);

    assertThat(lp.buildRequestStatuses(recipe)).isEmpty();
    assertThat(lp.operationCount("requestBuilds")).isZero();
    assertThat(client.post(root + recipe.path(), "requestBuilds").statusCode()).isEqualTo(201);
  }

  @Test
  void resetAfterProcessingLosesTheAnswerButNotTheWork() {
    lp.faults().on("requestBuilds").resetAfterProcessing(1);

    assertThatThrownBy(() -> client.post(root + recipe.path(), "requestBuilds")).isInstanceOf(UncheckedIOException.class);

    assertThat(lp.buildRequestStatuses(recipe)).containsExactly("Pending");
    assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
    assertThat(lp.requests()).last().extracting(RecordedCall::fault).isEqualTo("RESET_AFTER");
  }

  @Test
  void slowResponsesStillArriveWhole() {
    lp.faults().slowResponses(1, Duration.ofMillis(300), 1000);
    long started = System.nanoTime();

    HttpResponse<String> r = client.get(root);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(Client.parse(r.body()).get("resource_type_link").asText()).isEqualTo(root + "#service-root");
    assertThat(lp.requests()).last().extracting(RecordedCall::fault).isEqualTo("SLOW");
  }

  @Test
  void journalRecordsMethodPathAndOperation() {
    client.get(root + recipe.path());
    client.post(root + recipe.path(), "requestBuilds");

    assertThat(lp.requests()).extracting(RecordedCall::method, RecordedCall::path, RecordedCall::wsOp, RecordedCall::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("GET", "/devel/" + recipe.path(), null, 200),
            org.assertj.core.groups.Tuple.tuple("POST", "/devel/" + recipe.path(), "requestBuilds", 201));
    lp.clearRequests();
    assertThat(lp.requests()).isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private String requestAndRun() {
    String location = client.post(root + recipe.path(), "requestBuilds").headers().firstValue("Location").orElseThrow();
    lp.advancePhases(1);
    return location;
  }

  private static HttpRequest.Builder form(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }
}
