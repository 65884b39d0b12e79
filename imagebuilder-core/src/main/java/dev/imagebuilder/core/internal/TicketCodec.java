package dev.imagebuilder.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.core.internal.wire.WireCodec;
import java.util.List;
import java.util.Map;

/**
 * Tickets as JSON: {@code {"format": "imagebuilder-ticket/1", "build_id", "backend", "attempt",
 * "request": <wire-format item>, "targets": [keys], "state": <backend state>}}. The request is
 * stored in the wire format so a ticket stays readable by other tools and versions.
 */
public final class TicketCodec {
  public static final String FORMAT = "imagebuilder-ticket/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TicketCodec() {}

  /** A decoded ticket. */
  public record Contents(
      String buildId, String backend, int attempt, ImageRequest request, List<String> targets,
      Map<String, Object> state) {}

  public static Ticket encode(
      String buildId, String backend, int attempt, ImageRequest request,
      List<String> targetKeys, Map<String, Object> state) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("build_id", buildId);
    root.put("backend", backend);
    root.put("attempt", attempt);
    try {
      root.set("request", JSON.readTree(WireCodec.writeOne(request, false)));
      root.set("targets", JSON.valueToTree(targetKeys));
      root.set("state", JSON.valueToTree(state));
      return new Ticket(JSON.writeValueAsString(root));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalStateException("backend " + backend + " returned state that is not JSON: "
          + e.getMessage(), e);
    }
  }

  public static Contents decode(Ticket ticket) {
    JsonNode root;
    try {
      root = JSON.readTree(ticket.json());
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("ticket", "is not valid JSON: " + e.getOriginalMessage());
    }
    if (!FORMAT.equals(root.path("format").asText())) {
      throw new InvalidRequestException("ticket.format", "'" + root.path("format").asText()
          + "' is not a supported ticket format (expected " + FORMAT + ")");
    }
    String buildId = text(root, "build_id");
    String backend = text(root, "backend");
    int attempt = root.path("attempt").asInt(1);
    JsonNode request = root.get("request");
    if (request == null || !request.isObject()) {
      throw new InvalidRequestException("ticket.request", "is missing");
    }
    ImageRequest parsed;
    try {
      parsed = WireCodec.parseOne(request.toString());
    } catch (InvalidRequestException e) {
      throw e.under("ticket.request");
    }
    JsonNode state = root.path("state");
    Map<String, Object> stateMap = state.isObject()
        ? JSON.convertValue(state, new TypeReference<Map<String, Object>>() {})
        : Map.of();
    List<String> targets = new java.util.ArrayList<>();
    root.path("targets").forEach(t -> targets.add(t.asText()));
    return new Contents(buildId, backend, Math.max(1, attempt), parsed, List.copyOf(targets), stateMap);
  }

  private static String text(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual() || node.asText().isBlank()) {
      throw new InvalidRequestException("ticket." + field, "is missing");
    }
    return node.asText();
  }
}
