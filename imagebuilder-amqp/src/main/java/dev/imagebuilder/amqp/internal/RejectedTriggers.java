package dev.imagebuilder.amqp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The trigger queues a message names, read leniently from a body that may be invalid in other
 * ways, so that a rejection reaches the reader the request named. Only names a valid request could
 * hold are taken (the wire format's {@code trigger} and {@code progress_trigger}, on the bare
 * object or on each item of a list).
 */
final class RejectedTriggers {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_QUEUE_NAME = 255;

  private RejectedTriggers() {}

  static Set<String> of(byte[] body) {
    Set<String> out = new LinkedHashSet<>();
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException | RuntimeException e) {
      return out;
    }
    if (root == null) {
      return out;
    }
    if (root.isArray()) {
      root.forEach(item -> add(item, out));
    } else {
      add(root, out);
    }
    return out;
  }

  private static void add(JsonNode item, Set<String> out) {
    for (String key : new String[] {"trigger", "progress_trigger"}) {
      JsonNode v = item.get(key);
      if (v != null && v.isTextual()) {
        String name = v.asText();
        if (!name.isBlank() && name.length() <= MAX_QUEUE_NAME && !name.startsWith("amq.")
            && name.chars().noneMatch(Character::isISOControl)) {
          out.add(name);
        }
      }
    }
  }
}
