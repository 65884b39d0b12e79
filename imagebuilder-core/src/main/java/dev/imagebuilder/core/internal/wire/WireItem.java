package dev.imagebuilder.core.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.InvalidRequestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One item of a document: its index and its keys in document order. Typed access reports a
 * wrong type under the item's field path ({@code [1].ppa_list[0]}); JSON null reads as absent.
 *
 * @param floats the text of each floating-point value, as written, to show it in errors
 */
record WireItem(int index, Map<String, JsonNode> fields, Map<String, String> floats) {

  WireItem {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    floats = Map.copyOf(floats);
  }

  /** The field path of a key of this item: {@code [index].key}. */
  String path(String key) {
    return "[" + index + "]." + Texts.key(key);
  }

  InvalidRequestException error(String key, String message) {
    return new InvalidRequestException(path(key), message);
  }

  /**
   * The same problem reported under this item's path, the record component renamed to the
   * wire key ({@code ppas[2]} becomes {@code [0].ppa_list[2]}).
   */
  InvalidRequestException rename(InvalidRequestException e, Map<String, String> wireKeys) {
    String field = e.field();
    int bracket = field.indexOf('[');
    String base = bracket < 0 ? field : field.substring(0, bracket);
    String suffix = bracket < 0 ? "" : field.substring(bracket);
    String detail = e.getMessage().substring(field.length() + 2);
    return new InvalidRequestException(path(wireKeys.getOrDefault(base, base) + suffix), detail, e);
  }

  boolean has(String key) {
    JsonNode node = fields.get(key);
    return node != null && !node.isNull();
  }

  /** The string at {@code key}, or {@code null} when absent. */
  String string(String key) {
    if (!has(key)) {
      return null;
    }
    JsonNode node = fields.get(key);
    if (!node.isTextual()) {
      throw error(key, "expected a string, got " + Texts.describe(node));
    }
    return node.textValue();
  }

  /** The list of strings at {@code key}; empty when absent. */
  List<String> strings(String key) {
    if (!has(key)) {
      return List.of();
    }
    JsonNode node = fields.get(key);
    if (!node.isArray()) {
      throw error(key, "expected a list of strings, got " + Texts.describe(node));
    }
    List<String> out = new ArrayList<>(node.size());
    for (int j = 0; j < node.size(); j++) {
      JsonNode element = node.get(j);
      if (!element.isTextual()) {
        throw error(key + "[" + j + "]", "expected a string, got " + Texts.describe(element));
      }
      out.add(element.textValue());
    }
    return out;
  }

  /** Each string of the list at {@code key} parsed; a failure is reported at its index. */
  <T> List<T> each(String key, Function<String, T> parse) {
    List<String> texts = strings(key);
    List<T> out = new ArrayList<>(texts.size());
    for (int j = 0; j < texts.size(); j++) {
      try {
        out.add(parse.apply(texts.get(j)));
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(path(key) + "[" + j + "]",
            e.getMessage().substring(e.field().length() + 2), e);
      }
    }
    return out;
  }

  /** The whole number at {@code key} within {@code [min, max]}, or {@code absent}. */
  int integer(String key, int min, int max, int absent) {
    if (!has(key)) {
      return absent;
    }
    JsonNode node = fields.get(key);
    if (node.isIntegralNumber()) {
      if (node.canConvertToInt() && node.intValue() >= min && node.intValue() <= max) {
        return node.intValue();
      }
      throw error(key, Texts.quote(node.asText()) + " is out of range (" + min + " to " + max + ")");
    }
    // A JSON number's text is digits, sign, point and exponent: nothing to escape.
    String shown = floats.containsKey(key) ? "the number " + floats.get(key) : Texts.describe(node);
    throw error(key, "expected a whole number, got " + shown);
  }
}
