package dev.imagebuilder.launchpad.internal.client;

import java.util.Objects;

/**
 * An OAuth access token for Launchpad. The consumer secret is always empty on Launchpad.
 * {@link #toString()} never shows the token or its secret.
 */
public record Credentials(String consumerKey, String accessToken, String accessSecret) {
  public Credentials {
    Objects.requireNonNull(consumerKey, "consumerKey");
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(accessSecret, "accessSecret");
  }

  @Override
  public String toString() {
    return "Credentials[consumerKey=" + consumerKey + ", accessToken=<redacted>, accessSecret=<redacted>]";
  }
}
