package dev.imagebuilder.guestfs.internal;

import java.net.URI;
import java.nio.file.Path;

/**
 * A base image ready to use, on local disk.
 *
 * @param checksumSource how the sha256 is known: the {@code SHA256SUMS} URL it was verified
 *     against, or {@code computed} when none was published beside the image
 * @param cached true when no transfer was needed
 * @param signature how {@code SHA256SUMS} was authenticated: {@code signed by <fingerprint>}, or
 *     {@code unsigned}
 */
record BaseImage(URI source, Path path, long size, String sha256, String checksumSource, boolean cached,
    String signature) {
  static final String COMPUTED = "computed";

  BaseImage(URI source, Path path, long size, String sha256, String checksumSource, boolean cached) {
    this(source, path, size, sha256, checksumSource, cached, "unsigned");
  }

  /** {@code signed by <fingerprint>}, or {@code unsigned}. */
  BaseImage withSignature(String newSignature) {
    return new BaseImage(source, path, size, sha256, checksumSource, cached, newSignature);
  }

  boolean verified() {
    return !COMPUTED.equals(checksumSource);
  }
}
