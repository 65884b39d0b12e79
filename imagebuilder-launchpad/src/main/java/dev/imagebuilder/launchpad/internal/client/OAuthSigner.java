package dev.imagebuilder.launchpad.internal.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

/**
 * Builds the OAuth 1.0 PLAINTEXT {@code Authorization} header Launchpad checks. The signature is
 * {@code <consumer secret>&<token secret>} with an empty consumer secret; parameter values are
 * percent-encoded per RFC 5849, so the {@code &} goes out as {@code %26}.
 */
public final class OAuthSigner {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String realm;
  private final Credentials credentials;
  private final Clock clock;

  public OAuthSigner(String realm, Credentials credentials, Clock clock) {
    this.realm = realm;
    this.credentials = credentials;
    this.clock = clock;
  }

  public String header() {
    return header(clock.instant().getEpochSecond(), nonce());
  }

  String header(long timestamp, String nonce) {
    String signature = encode("") + "&" + encode(credentials.accessSecret());
    return "OAuth realm=\"" + realm + "\""
        + ", oauth_consumer_key=\"" + encode(credentials.consumerKey()) + "\""
        + ", oauth_token=\"" + encode(credentials.accessToken()) + "\""
        + ", oauth_signature_method=\"PLAINTEXT\""
        + ", oauth_signature=\"" + encode(signature) + "\""
        + ", oauth_timestamp=\"" + timestamp + "\""
        + ", oauth_nonce=\"" + nonce + "\""
        + ", oauth_version=\"1.0\"";
  }

  private static String nonce() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** RFC 5849 section 3.6: unreserved characters stay, everything else is %XX. */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8)
        .replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }
}
