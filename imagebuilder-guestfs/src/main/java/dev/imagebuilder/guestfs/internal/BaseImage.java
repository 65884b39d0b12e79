package dev.imagebuilder.guestfs.internal;

import java.net.URI;
import java.nio.file.Path;

/**
 * A base image ready to use, on local disk.
 *
 * @param checksumSource how the sha256 is known: the {@code SHA256SUMS} URL it was verified
 *     against, or {@code computed} when none was published beside the image
 * @param cached true when no transfer was needed
 */
record BaseImage(URI source, Path path, long size, String sha256, String checksumSource, boolean cached) {
  static final String COMPUTED = "computed";

  boolean verified() {
    return !COMPUTED.equals(checksumSource);
  }
}
