package dev.imagebuilder.testkit.internal.launchpad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/** The one JSON mapper of the fake. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** lazr.restful's parameter decoding: JSON when it parses, else the literal string. */
  static Object decodeParameter(String raw) {
    try {
      return MAPPER.readValue(raw, Object.class);
    } catch (JsonProcessingException e) {
      return raw;
    }
  }
}
