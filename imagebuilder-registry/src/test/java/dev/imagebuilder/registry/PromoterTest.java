package dev.imagebuilder.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.testkit.FakeRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromoterTest {
  private static final List<String> ARCHES = List.of("amd64", "arm64", "ppc64el", "s390x");

  private final List<FakeRegistry> registries = new ArrayList<>();
  private final List<Duration> waits = new ArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void stop() {
    registries.forEach(FakeRegistry::close);
  }

  private FakeRegistry start(FakeRegistry.Builder b) {
    FakeRegistry r = b.build().start();
    registries.add(r);
    return r;
  }

  private Promoter promoter(RegistryAuth auth) {
    return Promoter.builder().auth(auth).sleeper(waits::add).build();
  }

  private static ImageReference ref(FakeRegistry r, String repo, String tag) {
    return new ImageReference(r.uri(), repo, tag);
  }

  @Test
  void retagWritesTheSameBytesUnderTheNewTag() {
    FakeRegistry r = start(FakeRegistry.builder());
    String digest = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    byte[] edge = r.manifest("ubuntu/redis", "1.21-22.04_edge").orElseThrow();
    Promoter p = promoter(RegistryAuth.anonymous());

    PromotionResult result = p.promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "ubuntu/redis", "1.21-22.04_beta"), ref(r, "ubuntu/redis", "22.04_beta")));

    assertThat(result.succeeded()).isTrue();
    assertThat(result.digest()).isEqualTo(digest);
    assertThat(result.platforms()).containsExactly("amd64", "arm64/v8", "ppc64le", "s390x");
    assertThat(result.tags()).extracting(TagResult::outcome).containsOnly(TagResult.Outcome.WRITTEN);
    assertThat(r.digest("ubuntu/redis", "1.21-22.04_beta")).contains(digest);
    assertThat(r.manifest("ubuntu/redis", "22.04_beta").orElseThrow()).isEqualTo(edge);
    // No blob moved: a retag is one GET, then a HEAD and a PUT per tag.
    assertThat(r.blobBytesReceived()).isZero();
    assertThat(r.blobBytesServed()).isZero();
    assertThat(r.requests()).containsExactly(
        "GET /v2/ubuntu/redis/manifests/1.21-22.04_edge",
        "HEAD /v2/ubuntu/redis/manifests/1.21-22.04_beta",
        "PUT /v2/ubuntu/redis/manifests/1.21-22.04_beta",
        "HEAD /v2/ubuntu/redis/manifests/22.04_beta",
        "PUT /v2/ubuntu/redis/manifests/22.04_beta");
  }

  @Test
  void aManifestReadOnceIsPromotedWithoutReadingTheTagAgainEvenIfItMoved() {
    FakeRegistry r = start(FakeRegistry.builder());
    String checked = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    Promoter p = promoter(RegistryAuth.anonymous());
    ImageReference edge = ref(r, "ubuntu/redis", "1.21-22.04_edge");

    SourceManifest read = p.read(edge);
    // Launchpad pushes a newer list after the check: what was checked is what gets tagged.
    String newer = r.pushImage("ubuntu/redis", "1.21-22.04_edge", List.of("amd64"), "newer");
    PromotionResult result = p.promote(read, List.of(edge.withTag("1.21-22.04_beta")));

    assertThat(read.reference()).isEqualTo(edge);
    assertThat(read.summary().digest()).isEqualTo(checked);
    assertThat(read.summary().platforms()).containsExactly("amd64", "arm64/v8", "ppc64le", "s390x");
    assertThat(result.succeeded()).isTrue();
    assertThat(result.digest()).isEqualTo(checked).isNotEqualTo(newer);
    assertThat(result.platforms()).isEqualTo(read.summary().platforms());
    assertThat(r.digest("ubuntu/redis", "1.21-22.04_beta")).contains(checked);
    assertThat(r.requests()).filteredOn(s -> s.startsWith("GET")).containsExactly(
        "GET /v2/ubuntu/redis/manifests/1.21-22.04_edge");
    assertThatThrownBy(() -> p.promote(read, List.of()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("targets");
  }

  @Test
  void promotingAgainChangesNothing() {
    FakeRegistry r = start(FakeRegistry.builder());
    r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    Promoter p = promoter(RegistryAuth.anonymous());
    ImageReference edge = ref(r, "ubuntu/redis", "1.21-22.04_edge");
    p.promote(edge, List.of(edge.withTag("1.21-22.04_beta")));
    r.resetCounters();

    PromotionResult again = p.promote(edge, List.of(edge.withTag("1.21-22.04_beta")));

    assertThat(again.tags().get(0).outcome()).isEqualTo(TagResult.Outcome.UNCHANGED);
    assertThat(r.requests()).noneMatch(s -> s.startsWith("PUT"));
  }

  @Test
  void aTagPointingElsewhereIsMovedAndItsOldDigestReported() {
    FakeRegistry r = start(FakeRegistry.builder());
    String edge = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    String old = r.pushImage("ubuntu/redis", "1.21-22.04_beta", List.of("amd64"), "last month");

    PromotionResult result = promoter(RegistryAuth.anonymous()).promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "ubuntu/redis", "1.21-22.04_beta")));

    assertThat(result.tags().get(0).previousDigest()).isEqualTo(old);
    assertThat(r.digest("ubuntu/redis", "1.21-22.04_beta")).contains(edge);
  }

  @Test
  void dryRunWritesNothing() {
    FakeRegistry r = start(FakeRegistry.builder());
    r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    PromotionResult result = promoter(RegistryAuth.anonymous()).dryRun(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "ubuntu/redis", "1.21-22.04_stable"), ref(r, "other/redis", "latest")));

    assertThat(result.tags()).extracting(TagResult::outcome)
        .containsExactly(TagResult.Outcome.WOULD_WRITE, TagResult.Outcome.WOULD_WRITE);
    assertThat(r.requests()).allMatch(s -> s.startsWith("GET") || s.startsWith("HEAD"));
    assertThat(r.tags("ubuntu/redis")).containsExactly("1.21-22.04_edge");
  }

  @Test
  void anotherRepositoryOfTheSameRegistryGetsTheBlobsByMount() {
    FakeRegistry r = start(FakeRegistry.builder());
    String digest = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);

    PromotionResult result = promoter(RegistryAuth.anonymous()).promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "release/redis", "1.21-22.04_stable"), ref(r, "release/redis", "22.04_stable")));

    assertThat(result.succeeded()).as("%s", result).isTrue();
    assertThat(r.digest("release/redis", "1.21-22.04_stable")).contains(digest);
    assertThat(r.digest("release/redis", "22.04_stable")).contains(digest);
    assertThat(r.blobBytesReceived()).isZero();
    assertThat(r.blobBytesServed()).isZero();
    // 4 architectures x (config + layer), mounted once each, for both tags together.
    assertThat(r.requests()).filteredOn(s -> s.contains("mount=")).hasSize(8);
  }

  @Test
  void anotherRegistryGetsTheBlobsCopiedThenChildrenThenTheList() {
    FakeRegistry a = start(FakeRegistry.builder());
    FakeRegistry b = start(FakeRegistry.builder());
    String digest = a.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    byte[] bytes = a.manifest("ubuntu/redis", "1.21-22.04_edge").orElseThrow();

    PromotionResult result = promoter(RegistryAuth.anonymous()).promote(ref(a, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(b, "mirror/redis", "1.21-22.04_stable")));

    assertThat(result.succeeded()).as("%s", result).isTrue();
    assertThat(b.manifest("mirror/redis", "1.21-22.04_stable").orElseThrow()).isEqualTo(bytes);
    assertThat(b.digest("mirror/redis", "1.21-22.04_stable")).contains(digest);
    assertThat(b.blobBytesReceived()).isEqualTo(a.blobBytesServed()).isPositive();
  }

  @Test
  void readsTheWholeListWhereANarrowAcceptWouldGetOneArchitecture() throws Exception {
    FakeRegistry r = start(FakeRegistry.builder());
    String digest = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    // What a client asking only for schema2 gets: the amd64 child, another digest.
    HttpResponse<byte[]> narrow = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(r.uri() + "/v2/ubuntu/redis/manifests/1.21-22.04_edge"))
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(narrow.headers().firstValue("Docker-Content-Digest")).isPresent().get().isNotEqualTo(digest);

    ManifestSummary s = promoter(RegistryAuth.anonymous()).inspect(ref(r, "ubuntu/redis", "1.21-22.04_edge"));

    assertThat(s.digest()).isEqualTo(digest);
    assertThat(s.mediaType()).isEqualTo("application/vnd.docker.distribution.manifest.list.v2+json");
    assertThat(s.hasArchitecture("arm64")).isTrue();
    assertThat(s.hasArchitecture("riscv64")).isFalse();
  }

  @Test
  void basicAuthWithCredentialsFromRegistryAuthFile() throws Exception {
    FakeRegistry r = start(FakeRegistry.builder().basic("builder", "s3cret"));
    String digest = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    Path file = authFile(tmp.resolve("auth.json"), r.host(), "builder", "s3cret");
    RegistryAuth auth = RegistryAuth.fromEnvironment(Map.of("REGISTRY_AUTH_FILE", file.toString()), tmp);

    PromotionResult result = promoter(auth).promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "ubuntu/redis", "1.21-22.04_beta")));

    assertThat(result.succeeded()).isTrue();
    assertThat(r.digest("ubuntu/redis", "1.21-22.04_beta")).contains(digest);
  }

  @Test
  void wrongBasicCredentialsFailWithoutShowingTheSecret() throws Exception {
    FakeRegistry r = start(FakeRegistry.builder().basic("builder", "s3cret"));
    r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    RegistryAuth auth = RegistryAuth.anonymous().withCredentials(r.host(), "builder", "wrong-secret-value");

    assertThatThrownBy(() -> promoter(auth).promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
            List.of(ref(r, "ubuntu/redis", "1.21-22.04_beta"))))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("UNAUTHORIZED")
        .hasMessageNotContaining("wrong-secret-value");
    assertThat(auth.toString()).doesNotContain("wrong-secret-value");
  }

  @Test
  void bearerTokensFromTheRealmWithAccessTokenField() {
    FakeRegistry r = start(FakeRegistry.builder().bearer("builder", "s3cret").tokenField("access_token"));
    String digest = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    RegistryAuth auth = RegistryAuth.anonymous().withCredentials(r.host(), "builder", "s3cret");

    PromotionResult result = promoter(auth).promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "ubuntu/redis", "1.21-22.04_beta"), ref(r, "release/redis", "1.21-22.04_beta")));

    assertThat(result.succeeded()).as("%s", result).isTrue();
    assertThat(r.digest("release/redis", "1.21-22.04_beta")).contains(digest);
    assertThat(r.requests()).anyMatch(s -> s.startsWith("GET /token?service=fake-registry")
        && s.contains("scope=repository%3Arelease%2Fredis%3Apull%2Cpush")
        && s.contains("scope=repository%3Aubuntu%2Fredis%3Apull"));
  }

  @Test
  void anonymousBearerMayReadButNotWrite() {
    FakeRegistry r = start(FakeRegistry.builder().bearer("builder", "s3cret"));
    r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    Promoter p = promoter(RegistryAuth.anonymous());

    assertThat(p.inspect(ref(r, "ubuntu/redis", "1.21-22.04_edge")).platforms()).hasSize(4);
    PromotionResult result = p.promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "ubuntu/redis", "1.21-22.04_beta")));

    assertThat(result.succeeded()).isFalse();
    assertThat(result.tags().get(0).error()).contains("HTTP 401");
    assertThat(r.tags("ubuntu/redis")).containsExactly("1.21-22.04_edge");
  }

  @Test
  void tooManyRequestsAndUnavailableAreRetriedAfterRetryAfter() {
    FakeRegistry r = start(FakeRegistry.builder());
    String digest = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    r.fail("ubuntu/redis", FakeRegistry.Fault.TOO_MANY_REQUESTS, 1);
    r.fail("ubuntu/redis", FakeRegistry.Fault.UNAVAILABLE, 1);

    PromotionResult result = promoter(RegistryAuth.anonymous()).promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "ubuntu/redis", "1.21-22.04_beta")));

    assertThat(result.succeeded()).isTrue();
    assertThat(r.digest("ubuntu/redis", "1.21-22.04_beta")).contains(digest);
    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void retriesAreBounded() {
    FakeRegistry r = start(FakeRegistry.builder());
    r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    r.fail("ubuntu/redis", FakeRegistry.Fault.UNAVAILABLE, -1);
    Promoter p = Promoter.builder().retries(3, Duration.ofSeconds(5)).sleeper(waits::add).build();

    assertThatThrownBy(() -> p.inspect(ref(r, "ubuntu/redis", "1.21-22.04_edge")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("HTTP 503");
    assertThat(r.requestCount()).isEqualTo(3);
    assertThat(waits).hasSize(2);
  }

  @Test
  void deniedFailsThatTagWithTheRegistrysMessageAndTheOthersAreWritten() {
    FakeRegistry r = start(FakeRegistry.builder());
    String digest = r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
    r.fail("locked/redis", FakeRegistry.Fault.DENIED, -1);

    PromotionResult result = promoter(RegistryAuth.anonymous()).promote(ref(r, "ubuntu/redis", "1.21-22.04_edge"),
        List.of(ref(r, "locked/redis", "stable"), ref(r, "ubuntu/redis", "1.21-22.04_beta")));

    assertThat(result.succeeded()).isFalse();
    assertThat(result.tags().get(0).outcome()).isEqualTo(TagResult.Outcome.FAILED);
    assertThat(result.tags().get(0).error()).contains("DENIED: requested access to the resource is denied");
    assertThat(result.tags().get(1).outcome()).isEqualTo(TagResult.Outcome.WRITTEN);
    assertThat(r.digest("ubuntu/redis", "1.21-22.04_beta")).contains(digest);
  }

  @Test
  void anUnknownSourceTagFailsWithManifestUnknown() {
    FakeRegistry r = start(FakeRegistry.builder());
    r.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);

    assertThatThrownBy(() -> promoter(RegistryAuth.anonymous()).promote(ref(r, "ubuntu/redis", "1.21-24.04_edge"),
            List.of(ref(r, "ubuntu/redis", "1.21-24.04_beta"))))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.code()).isEqualTo("MANIFEST_UNKNOWN");
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.serverText()).contains("manifest unknown");
        });
  }

  @Test
  void plainHttpToARemoteHostIsRefused() {
    Promoter p = promoter(RegistryAuth.anonymous());
    assertThatThrownBy(() -> p.inspect(ImageReference.parse("http://registry.example/ubuntu/redis:edge")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("plain http:// to registry.example is refused");
  }

  @Test
  void referencesParseAndBadNamesAreRejectedNamingTheValue() {
    ImageReference r = ImageReference.parse("docker.io/ubuntu/redis:1.21-22.04_edge");
    assertThat(r.registry()).isEqualTo(URI.create("https://registry-1.docker.io"));
    assertThat(ImageReference.parse("127.0.0.1:5000/a/b:t").registry()).isEqualTo(URI.create("http://127.0.0.1:5000"));
    assertThatThrownBy(() -> ImageReference.parse("reg.example/Ubuntu/Redis:edge"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'Ubuntu/Redis'");
    assertThatThrownBy(() -> ImageReference.parse("reg.example/ubuntu/redis:-bad"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'-bad'");
    assertThatThrownBy(() -> ImageReference.registry("https://user:pw@reg.example"))
        .isInstanceOf(InvalidRequestException.class).hasMessageNotContaining("pw");
  }

  @Test
  void noTargetsIsAnError() {
    FakeRegistry r = start(FakeRegistry.builder());
    assertThatThrownBy(() -> promoter(RegistryAuth.anonymous()).promote(ref(r, "ubuntu/redis", "edge"), List.of()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("targets");
  }

  static Path authFile(Path file, String host, String user, String secret) throws Exception {
    String auth = Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    Files.writeString(file, "{\"auths\": {\"" + host + "\": {\"auth\": \"" + auth + "\"}}}");
    return file;
  }
}
