package dev.imagebuilder.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.TargetStatusFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON output schema {@code image-builder/1} (docs/cli.md): the shapes of targets, builds and
 * events. Fields are added, never renamed or removed, within one schema version.
 */
final class Json {
  static final String SCHEMA = "image-builder/1";
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {};
  private static final List<String> TARGET_FIELD_ORDER = List.of("key", "image", "series", "arch",
      "state", "raw_state", "build_state", "upload_state", "web_link", "log_url", "error", "attempt",
      "labels", "outputs");

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

  /**
   * A target: {@link TargetStatusFormat}'s fields with the view fields between them, in the
   * order the schema has always written them.
   */
  static ObjectNode target(TargetStatus t) {
    TargetView v = TargetView.of(t);
    Map<String, Object> fields = TargetStatusFormat.toMap(t);
    fields.put("image", v.image());
    fields.put("series", v.series());
    fields.put("arch", v.arch());
    fields.put("build_state", v.buildState());
    fields.put("upload_state", v.uploadState());
    ObjectNode n = object();
    TARGET_FIELD_ORDER.forEach(name -> n.set(name, MAPPER.valueToTree(fields.get(name))));
    return n;
  }

  /** A target as {@link #target} wrote it (in a state journal), read back; view fields are ignored. */
  static TargetStatus targetFrom(JsonNode n) {
    return TargetStatusFormat.fromMap(MAPPER.convertValue(n, FIELDS));
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
