package dev.imagebuilder.systemimage.internal.protocol;

/**
 * One file of an image in {@code index.json}: a payload tarball, its detached signature, its
 * sha256 and size, and the order the recovery applies it in.
 */
public record ImageFile(int order, RemotePath path, RemotePath signature, String checksum, long size) {
  public ImageFile {
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
  }

  /** The generator prefix of the payload ({@code ubports}, {@code device}, {@code keyring}...). */
  public String prefix() {
    return path.prefix();
  }
}
