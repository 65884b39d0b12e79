package dev.imagebuilder.launchpad.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.api.Test;

class OAuthSignerTest {
  @Test
  void plaintextHeaderHasLaunchpadsExactShape() {
    OAuthSigner signer = new OAuthSigner("https://api.launchpad.net/",
        new Credentials("image-builder", "tok3n", "s3cret"), Clock.systemUTC());

    assertThat(signer.header(1700000000L, "abc123")).isEqualTo(
        "OAuth realm=\"https://api.launchpad.net/\", oauth_consumer_key=\"image-builder\","
            + " oauth_token=\"tok3n\", oauth_signature_method=\"PLAINTEXT\","
            + " oauth_signature=\"%26s3cret\", oauth_timestamp=\"1700000000\","
            + " oauth_nonce=\"abc123\", oauth_version=\"1.0\"");
  }

  @Test
  void valuesArePercentEncodedPerRfc5849() {
    assertThat(OAuthSigner.encode("a b+c~d*e&f")).isEqualTo("a%20b%2Bc~d%2Ae%26f");
  }

  @Test
  void freshNonceAndCurrentTimestampEachTime() {
    OAuthSigner signer = new OAuthSigner("r", new Credentials("k", "t", "s"),
        Clock.fixed(java.time.Instant.ofEpochSecond(42), java.time.ZoneOffset.UTC));
    String a = signer.header();
    String b = signer.header();
    assertThat(a).contains("oauth_timestamp=\"42\"").isNotEqualTo(b);
  }

  @Test
  void credentialsNeverShowTheirSecrets() {
    Credentials c = new Credentials("image-builder", "tok3n", "s3cret");
    assertThat(c.toString()).contains("image-builder").doesNotContain("tok3n").doesNotContain("s3cret");
  }
}
