package dev.imagebuilder.core;

import dev.imagebuilder.api.ImageRequest;
import java.util.List;

/** SKELETON: the JSON wire format of image requests (DESIGN section 5). */
public final class WireFormat {
  private WireFormat() {}
  public static List<ImageRequest> parse(String json) { throw new IllegalStateException("skeleton"); }
  public static String write(List<? extends ImageRequest> requests) { throw new IllegalStateException("skeleton"); }
  public static ImageRequest parseOne(String json) { throw new IllegalStateException("skeleton"); }
  public static String writeOne(ImageRequest request) { throw new IllegalStateException("skeleton"); }
}
