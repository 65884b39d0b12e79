package dev.imagebuilder.systemimage.internal.protocol;

import java.util.Comparator;
import java.util.List;

/**
 * One image of a device index: a full image, or a delta from {@code base}. Versions are 16-bit
 * unsigned integers, because the client hashes {@code (version << 16) + base}.
 */
public record Image(
    String type, int version, Integer base, String description, String versionDetail,
    List<ImageFile> files) {
  public static final int MAX_VERSION = 65535;

  public Image {
    files = files.stream().sorted(Comparator.comparingInt(ImageFile::order)).toList();
  }

  public boolean isFull() {
    return "full".equals(type);
  }
}
