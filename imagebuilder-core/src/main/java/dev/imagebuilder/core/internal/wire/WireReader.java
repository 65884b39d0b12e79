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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a document into its items without interpreting them: an array of objects or one bare
 * object. Items are streamed so a duplicate key or an oversized value is reported under its item
 * and key; whatever else Jackson refuses is reported under {@code json} with line and column.
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
      throw new InvalidRequestException(DOCUMENT, "too large or too deep " + at(e.getLocation())
          + ": " + e.getOriginalMessage(), e);
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
    while (nextKey(index, fields) == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      try {
        parser.nextToken();
        fields.put(key, value());
      } catch (StreamConstraintsException e) {
        throw new InvalidRequestException("[" + index + "]." + Texts.key(key),
            "value too large or too deep " + at(e.getLocation()) + ": " + e.getOriginalMessage(),
            e);
      }
    }
    return new WireItem(index, fields);
  }

  private JsonToken nextKey(int index, Map<String, JsonNode> fields) throws IOException {
    try {
      return parser.nextToken();
    } catch (JsonProcessingException e) {
      // Strict duplicate detection fails as the repeated key is read; the item's context then
      // names a key this item already has, which no other error can.
      String name = parser.getParsingContext().getCurrentName();
      if (name != null && fields.containsKey(name)) {
        throw new InvalidRequestException("[" + index + "]." + Texts.key(name),
            "duplicate key " + Texts.quote(name) + " " + at(e.getLocation()), e);
      }
      throw e;
    }
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
