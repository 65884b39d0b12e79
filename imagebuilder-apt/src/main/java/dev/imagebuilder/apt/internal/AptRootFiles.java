package dev.imagebuilder.apt.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a PPA's keyring and sources file into an unpacked root filesystem (a chroot, not the
 * host's {@code /}), never following a symbolic link out of it.
 */
public final class AptRootFiles {
  private AptRootFiles() {}

  /**
   * Writes the keyring, then the sources file (so a sources file is never in place without the
   * key it names), both mode 0644 so apt's sandbox user can read them; directories it creates
   * get mode 0755.
   *
   * @throws IOException also when a directory on the way is a symbolic link
   */
  public static void install(Path root, PpaAptSource source) throws IOException {
    writeInside(root, source.keyringPath(), source.key().packets());
    writeInside(root, source.sourcesPath(), source.deb822().getBytes(StandardCharsets.UTF_8));
  }

  private static void writeInside(Path root, String absolute, byte[] content) throws IOException {
    Path real = root.toRealPath();
    Path dir = real;
    String[] parts = absolute.substring(1).split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      dir = dir.resolve(parts[i]);
      if (Files.isSymbolicLink(dir)) {
        // /etc/apt in a rootfs must be a real directory; a symlink could lead to the host.
        throw new IOException(real.relativize(dir) + " in the root filesystem is a symbolic link");
      }
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:mode", 0755);
      }
    }
    Path file = dir.resolve(parts[parts.length - 1]);
    Files.deleteIfExists(file); // a symlink in the file's place is replaced, not followed
    Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Files.setAttribute(file, "unix:mode", 0644);
  }
}
