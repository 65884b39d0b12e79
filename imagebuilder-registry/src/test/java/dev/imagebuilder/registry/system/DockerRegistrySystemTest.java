package dev.imagebuilder.registry.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.registry.ImageReference;
import dev.imagebuilder.registry.PromotionResult;
import dev.imagebuilder.registry.Promoter;
import dev.imagebuilder.registry.RegistryAuth;
import dev.imagebuilder.registry.TagResult;
import dev.imagebuilder.testkit.FakeRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion against Debian's real docker-registry, three ways (no auth, htpasswd, TLS). The
 * image is Launchpad-shaped (a Docker manifest list with Python spacing) copied in from a
 * FakeRegistry by the promoter itself (cross-registry copy); then retagged and mounted into
 * another repository. {@code skopeo inspect --raw} is the independent check that every tag's
 * bytes hash to the digest of {@code _edge}.
 */
class DockerRegistrySystemTest {
  private static final List<String> ARCHES = List.of("amd64", "arm64", "s390x");

  @TempDir
  Path tmp;

  @BeforeAll
  static void tools() {
    DockerRegistry.requireTools();
  }

  @Test
  void noAuth() throws Exception {
    try (DockerRegistry real = DockerRegistry.start(DockerRegistry.Mode.NO_AUTH, dir("noauth"))) {
      promoteAndCheck(real, Promoter.builder().build(), List.of("--tls-verify=false"));
    }
  }

  @Test
  void htpasswdBasicAuthWithCredentialsFromAnAuthFile() throws Exception {
    try (DockerRegistry real = DockerRegistry.start(DockerRegistry.Mode.HTPASSWD, dir("htpasswd"))) {
      Path authFile = tmp.resolve("auth.json");
      String auth = Base64.getEncoder().encodeToString(
          (DockerRegistry.USER + ":" + DockerRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
      Files.writeString(authFile, "{\"auths\": {\"" + real.host() + "\": {\"auth\": \"" + auth + "\"}}}");
      RegistryAuth fromEnv = RegistryAuth.fromEnvironment(Map.of("REGISTRY_AUTH_FILE", authFile.toString()), tmp);

      promoteAndCheck(real, Promoter.builder().auth(fromEnv).build(),
          List.of("--tls-verify=false", "--authfile", authFile.toString()));

      // Anonymous: the registry's 401 names what is missing.
      ImageReference edge = new ImageReference(real.uri(), "ubuntu/redis", "1.21-22.04_edge");
      try {
        Promoter.builder().build().inspect(edge);
        throw new AssertionError("anonymous access to an htpasswd registry succeeded");
      } catch (AuthenticationException e) {
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).doesNotContain(DockerRegistry.PASSWORD);
      }
    }
  }

  @Test
  void tlsWithTheRegistrysOwnCertificate() throws Exception {
    try (DockerRegistry real = DockerRegistry.start(DockerRegistry.Mode.TLS, dir("tls"))) {
      Path certDir = Files.createDirectory(tmp.resolve("certs"));
      Files.copy(real.certificate(), certDir.resolve("ca.crt"));
      promoteAndCheck(real, Promoter.builder().sslContext(trusting(real.certificate())).build(),
          List.of("--cert-dir", certDir.toString()));
    }
  }

  /** From the outside: skopeo, a real client, reads and copies through FakeRegistry. */
  @Test
  void skopeoReadsAndCopiesThroughFakeRegistry() throws Exception {
    try (FakeRegistry fake = FakeRegistry.builder().build().start()) {
      String digest = fake.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
      String host = "127.0.0.1:" + fake.uri().getPort();
      byte[] raw = DockerRegistry.run(tmp, "skopeo", "inspect", "--raw", "--tls-verify=false",
          "docker://" + host + "/ubuntu/redis:1.21-22.04_edge").getBytes(StandardCharsets.ISO_8859_1);
      assertThat(sha256(raw)).isEqualTo(digest);

      DockerRegistry.run(tmp, "skopeo", "copy", "--all", "--preserve-digests", "--src-tls-verify=false",
          "--dest-tls-verify=false", "docker://" + host + "/ubuntu/redis:1.21-22.04_edge",
          "docker://" + host + "/mirror/redis:1.21-22.04_edge");

      assertThat(fake.digest("mirror/redis", "1.21-22.04_edge")).contains(digest);
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private void promoteAndCheck(DockerRegistry real, Promoter promoter, List<String> skopeoOptions) throws Exception {
    try (FakeRegistry launchpadSide = FakeRegistry.builder().build().start()) {
      String digest = launchpadSide.pushImage("ubuntu/redis", "1.21-22.04_edge", ARCHES);
      ImageReference fake = new ImageReference(launchpadSide.uri(), "ubuntu/redis", "1.21-22.04_edge");
      ImageReference edge = new ImageReference(real.uri(), "ubuntu/redis", "1.21-22.04_edge");

      // Cross-registry: blobs, then the children by digest, then the list.
      PromotionResult copied = promoter.promote(fake, List.of(edge));
      assertThat(copied.succeeded()).as("%s", copied).isTrue();
      assertThat(skopeoDigest(real, "ubuntu/redis:1.21-22.04_edge", skopeoOptions)).isEqualTo(digest);

      // The retag itself, and a mount into another repository.
      PromotionResult promoted = promoter.promote(edge, List.of(edge.withTag("1.21-22.04_beta"),
          edge.withTag("22.04_beta"), new ImageReference(real.uri(), "release/redis", "1.21-22.04_beta")));
      assertThat(promoted.succeeded()).as("%s", promoted).isTrue();
      assertThat(promoted.digest()).isEqualTo(digest);
      assertThat(promoted.platforms()).containsExactly("amd64", "arm64/v8", "s390x");
      assertThat(promoted.tags()).extracting(TagResult::outcome).containsOnly(TagResult.Outcome.WRITTEN);
      for (String ref : List.of("ubuntu/redis:1.21-22.04_beta", "ubuntu/redis:22.04_beta", "release/redis:1.21-22.04_beta")) {
        assertThat(skopeoDigest(real, ref, skopeoOptions)).as(ref).isEqualTo(digest);
      }

      // Again: nothing to write.
      PromotionResult again = promoter.promote(edge, List.of(edge.withTag("1.21-22.04_beta")));
      assertThat(again.tags().get(0).outcome()).isEqualTo(TagResult.Outcome.UNCHANGED);
    }
  }

  private String skopeoDigest(DockerRegistry real, String ref, List<String> options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
    cmd.addAll(options);
    cmd.add("docker://" + real.host() + "/" + ref);
    byte[] raw = DockerRegistry.run(tmp, cmd.toArray(String[]::new)).getBytes(StandardCharsets.ISO_8859_1);
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
  }

  private Path dir(String name) throws Exception {
    return Files.createDirectory(tmp.resolve(name));
  }

  private static SSLContext trusting(Path certificate) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      ks.setCertificateEntry("registry", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
