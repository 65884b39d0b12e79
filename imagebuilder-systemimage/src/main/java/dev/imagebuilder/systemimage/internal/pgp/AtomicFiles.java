package dev.imagebuilder.systemimage.internal.pgp;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file whole beside its target, then moves it into place in one step. What this module
 * writes this way is public (signatures, keyrings, documents a web server serves), so the file is
 * world-readable: a temporary file starts as 0600, and a rename keeps that mode.
 */
public final class AtomicFiles {
  /** rw-r--r--: what a web server running as another user can read. */
  public static final Set<PosixFilePermission> PUBLIC_FILE = PosixFilePermissions.fromString("rw-r--r--");
  /** rwxr-xr-x. */
  public static final Set<PosixFilePermission> PUBLIC_DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");

  private AtomicFiles() {}

  public static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.write(tmp, content);
      makePublic(tmp);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public static void move(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Makes a file 0644 (a directory 0755), whatever the umask made it. */
  public static void makePublic(Path path) throws IOException {
    try {
      Files.setPosixFilePermissions(path, Files.isDirectory(path) ? PUBLIC_DIRECTORY : PUBLIC_FILE);
    } catch (UnsupportedOperationException notPosix) {
      // not a POSIX file system: nothing to set, and nothing a web server would be refused
    }
  }
}
