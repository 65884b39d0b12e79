package dev.imagebuilder.core.internal.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The wire format's entry points behind {@code dev.imagebuilder.core.WireFormat}. */
public final class WireCodec {
  private WireCodec() {}

  /** Every item of the document, or an {@link InvalidRequestException} for the first bad one. */
  public static List<ImageRequest> parse(String json) {
    Objects.requireNonNull(json, "json");
    WireReader.Document document = WireReader.read(json);
    List<ImageRequest> requests = new ArrayList<>(document.items().size());
    for (WireItem item : document.items()) {
      requests.add(RequestDecoder.decode(item, document.bare()));
    }
    return List.copyOf(requests);
  }

  /** The document's only item, as a bare object or a list of one. */
  public static ImageRequest parseOne(String json) {
    List<ImageRequest> requests = parse(json);
    if (requests.size() != 1) {
      throw new InvalidRequestException(WireReader.DOCUMENT,
          "expected exactly one image request, got " + requests.size());
    }
    return requests.get(0);
  }

  public static String write(List<? extends ImageRequest> requests, boolean pretty) {
    Objects.requireNonNull(requests, "requests");
    List<Object> items = new ArrayList<>(requests.size());
    for (ImageRequest request : requests) {
      items.add(RequestEncoder.encode(Objects.requireNonNull(request, "request")));
    }
    return json(items, pretty);
  }

  public static String writeOne(ImageRequest request, boolean pretty) {
    return json(RequestEncoder.encode(Objects.requireNonNull(request, "request")), pretty);
  }

  private static String json(Object value, boolean pretty) {
    ObjectWriter writer = pretty
        ? WireJson.MAPPER.writerWithDefaultPrettyPrinter()
        : WireJson.MAPPER.writer();
    try {
      return writer.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Maps of strings, lists of strings and ints always serialize.
      throw new IllegalStateException("cannot write a request as JSON", e);
    }
  }
}
