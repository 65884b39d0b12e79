package dev.imagebuilder.amqp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * A message on a queue's control exchange, which every worker of the queue receives:
 * {@code {"type": "cancel", "request_id": "..."}}.
 */
public record ControlMessage(String type, String requestId) {
  public static final String CANCEL = "cancel";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static ControlMessage cancel(String requestId) {
    return new ControlMessage(CANCEL, requestId);
  }

  public boolean isCancel() {
    return CANCEL.equals(type);
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("type", type);
    root.put("request_id", requestId);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @throws IllegalArgumentException when it is not a control message this version knows */
  public static ControlMessage fromJson(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + ProgressReport.abbreviate(body));
    }
    if (root == null || !root.path("type").isTextual()
        || !Headers.isValidRequestId(root.path("request_id").asText(null))) {
      throw new IllegalArgumentException("not a control message: " + ProgressReport.abbreviate(body));
    }
    ControlMessage message = new ControlMessage(root.get("type").asText(), root.get("request_id").asText());
    if (!message.isCancel()) {
      throw new IllegalArgumentException("unknown control message type '" + message.type() + "'");
    }
    return message;
  }
}
