package dev.imagebuilder.amqp.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.TargetStatusFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One progress message about one item of a request, as published to the item's trigger queue.
 * Every message carries the full snapshot of the item's targets, so a reader that missed
 * messages still knows everything after the next one.
 *
 * @param requestId the request (the message) this item belongs to
 * @param item the item's index in the request's list
 * @param items how many items the request has
 * @param imageType the item's {@code image_type}, or null when the request could not be read
 * @param buildId the local build id on the worker, or null before there is a build
 * @param backend the backend the worker used, or null
 * @param state {@code running}, {@code completed} (every target succeeded) or {@code failed}
 * @param status the build status ({@code RUNNING, SUCCEEDED, FAILED, CANCELLED, ERROR})
 * @param message a line for people, or null
 * @param targets every target's snapshot
 * @param finished when the build ended (terminal messages of a build with a result), or null
 * @param worker which worker sent it
 * @param time when it was sent
 */
public record ProgressReport(
    String requestId,
    int item,
    int items,
    String imageType,
    String buildId,
    String backend,
    String state,
    BuildStatus status,
    String message,
    List<TargetStatus> targets,
    Instant finished,
    String worker,
    Instant time) {

  public static final String SCHEMA = "imagebuilder.progress/1";
  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {};

  public ProgressReport {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(status, "status");
    targets = List.copyOf(targets);
  }

  /** The report's state word for a build status. */
  public static String stateOf(BuildStatus status) {
    return switch (status) {
      case RUNNING -> RUNNING;
      case SUCCEEDED -> COMPLETED;
      case FAILED, CANCELLED, ERROR -> FAILED;
    };
  }

  public boolean isTerminal() {
    return !RUNNING.equals(state);
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("request_id", requestId);
    root.put("item", item);
    root.put("items", items);
    root.put("image_type", imageType);
    root.put("build_id", buildId);
    root.put("backend", backend);
    root.put("state", state);
    root.put("status", status.name());
    root.put("message", message);
    ArrayNode list = root.putArray("targets");
    targets.forEach(t -> list.add(target(t)));
    if (isTerminal() && finished != null) {
      ObjectNode result = root.putObject("result");
      result.put("succeeded", status == BuildStatus.SUCCEEDED);
      result.put("finished", finished.toString());
      ArrayNode failed = result.putArray("failed_targets");
      targets.stream().filter(t -> t.state() != TargetState.SUCCEEDED).forEach(t -> failed.add(t.key()));
    } else {
      root.putNull("result");
    }
    root.put("worker", worker);
    root.put("time", time.toString());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a progress report", e);
    }
  }

  /**
   * Reads a progress message.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static ProgressReport fromJson(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + abbreviate(body), e);
    }
    if (root == null || !root.isObject() || !root.path("request_id").isTextual()
        || !root.path("state").isTextual() || !root.path("status").isTextual()) {
      throw new IllegalArgumentException("not a progress report: " + abbreviate(body));
    }
    List<TargetStatus> targets = new ArrayList<>();
    for (JsonNode t : root.path("targets")) {
      targets.add(target(t));
    }
    JsonNode result = root.path("result");
    return new ProgressReport(
        root.get("request_id").asText(),
        root.path("item").asInt(0),
        root.path("items").asInt(1),
        textOrNull(root, "image_type"),
        textOrNull(root, "build_id"),
        textOrNull(root, "backend"),
        root.get("state").asText(),
        BuildStatus.valueOf(root.get("status").asText()),
        textOrNull(root, "message"),
        targets,
        result.isObject() && result.path("finished").isTextual()
            ? Instant.parse(result.get("finished").asText()) : null,
        textOrNull(root, "worker"),
        root.path("time").isTextual() ? Instant.parse(root.get("time").asText()) : Instant.EPOCH);
  }

  /** A target as {@link TargetStatusFormat} writes it; the progress schema embeds that form. */
  private static JsonNode target(TargetStatus t) {
    return JSON.valueToTree(TargetStatusFormat.toMap(t));
  }

  private static TargetStatus target(JsonNode node) {
    return TargetStatusFormat.fromMap(JSON.convertValue(node, FIELDS));
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : null;
  }

  static String abbreviate(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return body.length > 200 ? s + "..." : s;
  }
}
