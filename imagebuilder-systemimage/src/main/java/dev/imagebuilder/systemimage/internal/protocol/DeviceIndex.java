package dev.imagebuilder.systemimage.internal.protocol;

import dev.imagebuilder.api.IntegrityException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A device's {@code index.json}: every image the channel offers that device. */
public record DeviceIndex(String generatedAt, List<Image> images) {
  public DeviceIndex {
    images = List.copyOf(images);
  }

  /** The newest full image, which installers and our mirror start from. */
  public Optional<Image> latestFull() {
    return images.stream().filter(Image::isFull).max(Comparator.comparingInt(Image::version));
  }

  public Image requireLatestFull(String where) {
    return latestFull().orElseThrow(
        () -> new IntegrityException(where + " lists no full image to start from"));
  }

  /** The highest version of any image, or 0 for an empty index. */
  public int highestVersion() {
    return images.stream().mapToInt(Image::version).max().orElse(0);
  }
}
