package dev.imagebuilder.launchpad.internal.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One verified {@code oci-recipe:build:0.1} delivery. Paths are Launchpad's local paths (no host,
 * no {@code /devel}). Launchpad's code names the keys {@code recipe_build} and {@code recipe};
 * its manual says {@code ocirecipe_build} and {@code ocirecipe}: both are read.
 *
 * @param action "created" or "status-changed"
 * @param status the build's status title ("Successfully built", ...)
 * @param uploadStatus the registry upload status title ("Uploaded", ...)
 */
public record WebhookDelivery(String buildPath, String action, String recipePath, String requestPath,
    String status, String uploadStatus) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Parses a verified body; {@code null} when it is not a build event (a ping, say). */
  public static WebhookDelivery parse(byte[] body) throws IOException {
    JsonNode n = JSON.readTree(body);
    String build = text(n, "recipe_build", "ocirecipe_build");
    if (build == null) {
      return null;
    }
    return new WebhookDelivery(build, text(n, "action", null), text(n, "recipe", "ocirecipe"),
        text(n, "build_request", null), text(n, "status", null), text(n, "registry_upload_status", null));
  }

  private static String text(JsonNode n, String name, String alias) {
    JsonNode v = n.get(name);
    if ((v == null || !v.isTextual()) && alias != null) {
      v = n.get(alias);
    }
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
