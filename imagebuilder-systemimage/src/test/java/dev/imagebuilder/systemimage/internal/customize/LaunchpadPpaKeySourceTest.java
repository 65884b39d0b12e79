package dev.imagebuilder.systemimage.internal.customize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.HttpService;
import dev.imagebuilder.systemimage.internal.pgp.GeneratedKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PPA keys as add-apt-repository finds them: Launchpad's fingerprint, then the keyserver. */
class LaunchpadPpaKeySourceTest {
  static final GeneratedKey PPA_KEY;
  static final GeneratedKey OTHER_KEY;

  static {
    try {
      PPA_KEY = GeneratedKey.generate("Launchpad PPA for Team", 2048, 0, new char[0]);
      OTHER_KEY = GeneratedKey.generate("Someone else", 2048, 0, new char[0]);
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  MockWebServer server = new MockWebServer();
  volatile byte[] served = PPA_KEY.armoredPublic();

  @BeforeEach
  void start() throws Exception {
    String fpr = HexFormat.of().formatHex(PPA_KEY.signingKey(new char[0]).publicKey().getFingerprint())
        .toUpperCase(Locale.ROOT);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        String target = r.getTarget();
        if (target.equals("/1.0/~team/+archive/ubuntu/tools")) {
          return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
              .body("{\"signing_key_fingerprint\": \"" + fpr + "\", \"name\": \"tools\"}").build();
        }
        if (target.equals("/pks/lookup?op=get&options=mr&search=0x" + fpr)) {
          return new MockResponse.Builder().code(200)
              .body(new String(served, StandardCharsets.US_ASCII)).build();
        }
        return new MockResponse.Builder().code(404).body("Object: <not found>").build();
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private LaunchpadPpaKeySource source(HttpService http) {
    String base = server.url("/").toString();
    return new LaunchpadPpaKeySource(http, base + "1.0/",
        base + "pks/lookup?op=get&options=mr&search=0x{fingerprint}", Duration.ofSeconds(10));
  }

  @Test
  void fetchesTheKeyLaunchpadNamesAndChecksItsFingerprint() throws Exception {
    try (ImageBuilder builder = ImageBuilder.newBuilder().discoverBackends(false).build()) {
      HttpService http = dev.imagebuilder.systemimage.support.Contexts.http(builder);
      assertThat(new String(source(http).armoredKey(Ppa.of("ppa:team/tools")), StandardCharsets.US_ASCII))
          .startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");

      served = OTHER_KEY.armoredPublic(); // a keyserver handing out the wrong key
      assertThatThrownBy(() -> source(http).armoredKey(Ppa.of("ppa:team/tools")))
          .isInstanceOf(IntegrityException.class).hasMessageContaining("does not have the fingerprint");

      assertThatThrownBy(() -> source(http).armoredKey(Ppa.of("ppa:team/missing")))
          .hasMessageContaining("404");
    }
  }

  @Test
  void keepsOnlyTheKeyLaunchpadNamesWhenTheKeyserverAddsOthers() throws Exception {
    // The right key followed by another in one armoured block: apt would trust both.
    java.io.ByteArrayOutputStream both = new java.io.ByteArrayOutputStream();
    try (var armored = org.bouncycastle.bcpg.ArmoredOutputStream.builder().build(both)) {
      armored.write(PPA_KEY.binaryPublic());
      armored.write(OTHER_KEY.binaryPublic());
    }
    served = both.toByteArray();
    try (ImageBuilder builder = ImageBuilder.newBuilder().discoverBackends(false).build()) {
      HttpService http = dev.imagebuilder.systemimage.support.Contexts.http(builder);
      byte[] key = source(http).armoredKey(Ppa.of("ppa:team/tools"));

      var rings = new org.bouncycastle.openpgp.PGPPublicKeyRingCollection(
          org.bouncycastle.openpgp.PGPUtil.getDecoderStream(new java.io.ByteArrayInputStream(key)),
          new org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator());
      assertThat(rings.size()).isEqualTo(1);
      assertThat(rings.getKeyRings().next().getPublicKey().getFingerprint())
          .isEqualTo(PPA_KEY.signingKey(new char[0]).publicKey().getFingerprint());
    }
  }
}
