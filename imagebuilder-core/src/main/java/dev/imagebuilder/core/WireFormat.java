package dev.imagebuilder.core;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.core.internal.wire.WireCodec;
import java.util.List;

/**
 * The JSON wire format of image requests (DESIGN section 5; {@code docs/wire-format.md}): what
 * the queue worker consumes, the CLI reads from files and tickets store.
 *
 * <pre>{@code
 * List<ImageRequest> requests = WireFormat.parse("""
 *     [{"image_type": "oci", "images": ["redis"], "series": ["22.04"]}]""");
 * String json = WireFormat.write(requests);   // parse(json) equals requests
 * }</pre>
 *
 * <p>Parsing validates every item before it returns anything: a document with one bad item
 * yields an {@link InvalidRequestException} whose {@link InvalidRequestException#field() field}
 * is the item index and wire key ({@code [1].ppa_list[0]}), or {@code json} for a document that
 * is not well-formed JSON, and whose message names the bad value.
 */
public final class WireFormat {
  private WireFormat() {}

  /**
   * Parses a list of image requests, or one bare request object (which may be the older cloud
   * form without {@code image_type}).
   *
   * @throws InvalidRequestException when the document or any of its items is invalid
   * @throws NullPointerException when {@code json} is null
   */
  public static List<ImageRequest> parse(String json) {
    return WireCodec.parse(json);
  }

  /**
   * Parses a document holding exactly one request: a bare object or a list of one.
   *
   * @throws InvalidRequestException when the document is invalid or holds another number
   */
  public static ImageRequest parseOne(String json) {
    return WireCodec.parseOne(json);
  }

  /** The requests as a compact JSON list, keys in a stable order, each with its {@code image_type}. */
  public static String write(List<? extends ImageRequest> requests) {
    return WireCodec.write(requests, false);
  }

  /** As {@link #write(List)}, indented for people to read. */
  public static String writePretty(List<? extends ImageRequest> requests) {
    return WireCodec.write(requests, true);
  }

  /** One request as a compact bare JSON object (with its {@code image_type}). */
  public static String writeOne(ImageRequest request) {
    return WireCodec.writeOne(request, false);
  }
}
