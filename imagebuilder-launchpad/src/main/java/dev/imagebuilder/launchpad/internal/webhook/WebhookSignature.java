package dev.imagebuilder.launchpad.internal.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Launchpad's delivery signature: {@code X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, body)>}
 * over the raw body bytes, compared in constant time.
 */
public final class WebhookSignature {
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A fresh random secret: 40 hex characters (Launchpad allows fewer than 200). */
  public static String newSecret() {
    byte[] b = new byte[20];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The header value Launchpad sends for {@code body} signed with {@code secret}. */
  public static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return "sha1=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is not available", e);
    }
  }

  /** True when {@code header} is the signature of {@code body} with {@code secret}. */
  public static boolean verifies(String secret, byte[] body, String header) {
    if (header == null || !header.startsWith("sha1=")) {
      return false;
    }
    byte[] expected = sign(secret, body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = header.strip().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given);
  }
}
