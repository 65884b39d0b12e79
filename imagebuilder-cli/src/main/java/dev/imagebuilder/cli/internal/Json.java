package dev.imagebuilder.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetStatus;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON output schema {@code image-builder/1} (docs/cli.md): the shapes of targets, builds and
 * events. Fields are added, never renamed or removed, within one schema version.
 */
final class Json {
  static final String SCHEMA = "image-builder/1";
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A document or event, stamped with the schema. */
  static ObjectNode document(String kind) {
    ObjectNode n = object();
    n.put("schema", SCHEMA);
    n.put("kind", kind);
    return n;
  }

  static ObjectNode target(TargetStatus t) {
    TargetView v = TargetView.of(t);
    ObjectNode n = object();
    n.put("key", t.key());
    n.put("image", v.image());
    n.put("series", v.series());
    n.put("arch", v.arch());
    n.put("state", t.state().name());
    n.put("raw_state", t.rawState());
    n.put("build_state", v.buildState());
    n.put("upload_state", v.uploadState());
    n.put("web_link", t.webLink() == null ? null : t.webLink().toString());
    n.put("log_url", t.logUrl() == null ? null : t.logUrl().toString());
    n.put("error", t.errorSummary());
    n.put("attempt", t.attempt());
    n.set("labels", MAPPER.valueToTree(new TreeMap<>(t.labels())));
    n.set("outputs", MAPPER.valueToTree(new TreeMap<>(t.outputs())));
    return n;
  }

  /** A target as {@link #target} wrote it (in a state journal), read back. */
  static TargetStatus targetFrom(com.fasterxml.jackson.databind.JsonNode n) {
    Map<String, String> labels = new java.util.LinkedHashMap<>();
    n.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    Map<String, String> outputs = new java.util.LinkedHashMap<>();
    n.path("outputs").properties().forEach(e -> outputs.put(e.getKey(), e.getValue().asText()));
    return new TargetStatus(n.path("key").asText(), labels,
        dev.imagebuilder.api.TargetState.valueOf(n.path("state").asText("QUEUED")),
        text(n, "raw_state"), uri(n, "web_link"), uri(n, "log_url"), text(n, "error"), outputs,
        Math.max(1, n.path("attempt").asInt(1)));
  }

  private static String text(com.fasterxml.jackson.databind.JsonNode n, String field) {
    com.fasterxml.jackson.databind.JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static java.net.URI uri(com.fasterxml.jackson.databind.JsonNode n, String field) {
    String v = text(n, field);
    return v == null ? null : java.net.URI.create(v);
  }

  static ObjectNode planned(PlannedTarget t) {
    ObjectNode n = object();
    Map<String, String> labels = t.labels();
    n.put("key", t.key());
    n.put("image", labels.getOrDefault("image", labels.getOrDefault("device", t.key())));
    n.put("series", labels.getOrDefault("series", ""));
    n.put("arch", labels.getOrDefault("arch", ""));
    n.put("description", t.description());
    n.set("labels", MAPPER.valueToTree(new TreeMap<>(labels)));
    return n;
  }

  static String line(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pretty(ObjectNode node) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
