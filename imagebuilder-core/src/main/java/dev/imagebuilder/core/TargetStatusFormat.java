package dev.imagebuilder.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The JSON form of a {@link TargetStatus}: one object per target, as the CLI's state journal and
 * {@code --json} output and the queue worker's progress messages write it.
 *
 * <pre>{@code
 * {"key":"redis/22.04/amd64","labels":{"arch":"amd64"},"state":"SUCCEEDED","raw_state":"...",
 *  "web_link":"https://...","log_url":null,"error":null,"outputs":{"digest":"sha256:..."},"attempt":1}
 * }</pre>
 *
 * <p>Fields are always present, in this order; {@code labels} and {@code outputs} are sorted by
 * name; absent values are JSON {@code null}. Readers ignore fields they do not know, so a document
 * may carry more (the CLI adds view fields such as {@code image} and {@code build_state}).
 * {@link #toMap} and {@link #fromMap} serve documents that embed targets: the map holds only
 * strings, an integer, string maps and nulls, which any JSON library writes as shown.
 */
public final class TargetStatusFormat {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TargetStatusFormat() {}

  /**
   * The target's fields, in their written order; values are {@code String}, {@code Integer},
   * sorted {@code Map<String, String>} or null.
   */
  public static Map<String, Object> toMap(TargetStatus target) {
    Objects.requireNonNull(target, "target");
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("key", target.key());
    fields.put("labels", new TreeMap<>(target.labels()));
    fields.put("state", target.state().name());
    fields.put("raw_state", target.rawState());
    fields.put("web_link", target.webLink() == null ? null : target.webLink().toString());
    fields.put("log_url", target.logUrl() == null ? null : target.logUrl().toString());
    fields.put("error", target.errorSummary());
    fields.put("outputs", new TreeMap<>(target.outputs()));
    fields.put("attempt", target.attempt());
    return fields;
  }

  /**
   * A target from its fields, as {@link #toMap} gives them or a JSON library reads them. Unknown
   * fields are ignored; missing labels and outputs are empty; a missing or non-positive attempt
   * is 1.
   *
   * @throws IllegalArgumentException naming the field and its value, when {@code key} or
   *     {@code state} is missing or wrong, or a link is not a URI
   */
  public static TargetStatus fromMap(Map<String, ?> fields) {
    Objects.requireNonNull(fields, "fields");
    String key = text(fields, "key");
    if (key == null) {
      throw new IllegalArgumentException("target.key: missing");
    }
    return new TargetStatus(key, strings(fields, "labels"), state(fields), text(fields, "raw_state"),
        uri(fields, "web_link"), uri(fields, "log_url"), text(fields, "error"),
        strings(fields, "outputs"), attempt(fields));
  }

  /** The target as one compact JSON object. */
  public static String write(TargetStatus target) {
    try {
      return JSON.writeValueAsString(toMap(target));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a target as JSON", e);
    }
  }

  /**
   * A target from a JSON object as {@link #write} writes it.
   *
   * @throws IllegalArgumentException when the text is not a JSON object or a field is wrong
   *     (see {@link #fromMap})
   */
  public static TargetStatus parse(String json) {
    Objects.requireNonNull(json, "json");
    Object value;
    try {
      value = JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("target: not JSON: " + e.getOriginalMessage(), e);
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("target: not a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, ?> fields = (Map<String, ?>) map;
    return fromMap(fields);
  }

  private static TargetState state(Map<String, ?> fields) {
    String state = text(fields, "state");
    if (state == null) {
      throw new IllegalArgumentException("target.state: missing");
    }
    try {
      return TargetState.valueOf(state);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("target.state: '" + state + "' is not one of "
          + Arrays.toString(TargetState.values()), e);
    }
  }

  private static int attempt(Map<String, ?> fields) {
    Object value = fields.get("attempt");
    int attempt = 1;
    if (value instanceof Number n) {
      attempt = n.intValue();
    } else if (value instanceof String s) {
      try {
        attempt = Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        attempt = 1;
      }
    }
    return Math.max(1, attempt);
  }

  private static String text(Map<String, ?> fields, String name) {
    Object value = fields.get(name);
    return value == null || value instanceof Map || value instanceof Iterable ? null : value.toString();
  }

  private static URI uri(Map<String, ?> fields, String name) {
    String value = text(fields, name);
    if (value == null) {
      return null;
    }
    try {
      return new URI(value);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("target." + name + ": not a URI: '" + value + "'", e);
    }
  }

  private static Map<String, String> strings(Map<String, ?> fields, String name) {
    Map<String, String> strings = new LinkedHashMap<>();
    if (fields.get(name) instanceof Map<?, ?> map) {
      map.forEach((k, v) -> strings.put(String.valueOf(k), v == null ? "" : v.toString()));
    }
    return strings;
  }
}
