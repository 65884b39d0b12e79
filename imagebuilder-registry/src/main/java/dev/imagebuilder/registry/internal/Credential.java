package dev.imagebuilder.registry.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and secret for one registry. {@link #toString()} never shows the secret; nothing
 * else may print it either.
 *
 * @param source where it was found (a file path or helper name), for messages
 */
public record Credential(String username, String secret, String source) {
  public Credential {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(secret, "secret");
  }

  public String basicHeader() {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credential[username=" + username + ", secret=***, source=" + source + "]";
  }
}
