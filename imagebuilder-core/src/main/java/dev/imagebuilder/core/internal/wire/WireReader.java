package dev.imagebuilder.core.internal.wire;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a document into its items without interpreting them: an array of objects or one bare
 * object. Items are streamed so a duplicate key or an oversized value is reported under its item
 * and key; whatever else Jackson refuses is reported under {@code json} with line and column.
 *
 * <p>Duplicate keys are detected here rather than by Jackson's STRICT_DUPLICATE_DETECTION: its
 * error cannot be told apart from a syntax error at the same place (a trailing comma leaves the
 * same context behind), so it could not be reported under the item and key. Keys only matter in
 * item objects; an object anywhere deeper is a wrong type whatever its keys.
 */
final class WireReader {
  static final String DOCUMENT = "json";

  private final JsonParser parser;

  private WireReader(JsonParser parser) {
    this.parser = parser;
  }

  /** The document's items; {@code bare} tells whether it was one object rather than an array. */
  record Document(List<WireItem> items, boolean bare) {}

  static Document read(String json) {
    if (json.length() > WireJson.MAX_DOCUMENT_CHARS) {
      throw new InvalidRequestException(DOCUMENT, "the document is " + json.length()
          + " characters long; the limit is " + WireJson.MAX_DOCUMENT_CHARS);
    }
    try (JsonParser parser = WireJson.MAPPER.createParser(json)) {
      return new WireReader(parser).document();
    } catch (StreamConstraintsException e) {
      throw new InvalidRequestException(DOCUMENT, "too large or too deep: " + limit(e), e);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(DOCUMENT, "malformed JSON " + at(e.getLocation())
          + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      // A String source does no I/O.
      throw new UncheckedIOException(e);
    }
  }

  private Document document() throws IOException {
    JsonToken root = parser.nextToken();
    if (root == null) {
      throw new InvalidRequestException(DOCUMENT,
          "the document is empty (expected a list of image requests or one request object)");
    }
    Document document;
    if (root == JsonToken.START_ARRAY) {
      document = new Document(array(), false);
    } else if (root == JsonToken.START_OBJECT) {
      document = new Document(List.of(item(0)), true);
    } else {
      throw new InvalidRequestException(DOCUMENT, "expected a list of image requests or one"
          + " request object, got " + Texts.describe(value()));
    }
    if (parser.nextToken() != null) {
      throw new InvalidRequestException(DOCUMENT, "unexpected content after the document "
          + at(parser.currentTokenLocation()));
    }
    return document;
  }

  private List<WireItem> array() throws IOException {
    List<WireItem> items = new ArrayList<>();
    for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY;
        token = parser.nextToken()) {
      int index = items.size();
      if (token != JsonToken.START_OBJECT) {
        throw new InvalidRequestException("[" + index + "]",
            "expected an image request object, got " + Texts.describe(value()));
      }
      items.add(item(index));
    }
    return items;
  }

  private WireItem item(int index) throws IOException {
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    Map<String, String> floats = new HashMap<>();
    while (nextKey(index) == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      if (fields.containsKey(key)) {
        throw new InvalidRequestException(field(index, key), "duplicate key " + Texts.quote(key)
            + " " + at(parser.currentTokenLocation()));
      }
      try {
        if (parser.nextToken() == JsonToken.VALUE_NUMBER_FLOAT) {
          floats.put(key, parser.getText());
        }
        fields.put(key, value());
      } catch (StreamConstraintsException e) {
        throw tooLarge(field(index, key), e);
      }
    }
    return new WireItem(index, fields, floats);
  }

  private JsonToken nextKey(int index) throws IOException {
    try {
      return parser.nextToken();
    } catch (StreamConstraintsException e) {
      // Jackson reads a number along with its key: the key is then the current token.
      throw parser.currentToken() == JsonToken.FIELD_NAME
          ? tooLarge(field(index, parser.currentName()), e)
          : tooLarge("[" + index + "]", e);
    }
  }

  private InvalidRequestException tooLarge(String field, StreamConstraintsException e) {
    JsonLocation location = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
    return new InvalidRequestException(field,
        "too large or too deep " + at(location) + ": " + limit(e), e);
  }

  /** Jackson's message without its pointer to its own configuration class. */
  private static String limit(StreamConstraintsException e) {
    return e.getOriginalMessage().replaceAll(", from `[^`]*`\\)", ")");
  }

  private static String field(int index, String key) {
    return "[" + index + "]." + Texts.key(key);
  }

  /** The value at the current token, whole. */
  private JsonNode value() throws IOException {
    JsonNode node = WireJson.MAPPER.readTree(parser);
    return node == null ? NullNode.getInstance() : node;
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "(position unknown)";
    }
    return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
