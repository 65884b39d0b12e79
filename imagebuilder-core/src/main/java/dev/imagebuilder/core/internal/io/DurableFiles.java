package dev.imagebuilder.core.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * Replaces a file so that after a crash at any instant it holds either the old content or the new
 * one, and once {@link #replace} returns, the new content survives a power cut: the content is
 * written to a temporary file beside the target and forced to the device, the temporary file is
 * renamed over the target, and the directory holding both is forced so that the rename itself is
 * on disk. A failure (a full disk, say) leaves the old file untouched and no temporary file behind.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /**
   * Replaces {@code target} with {@code content}, readable by its owner only. A pending interrupt
   * neither stops the write (an interrupted file channel would close half-way) nor is lost.
   */
  public static void replace(Path target, byte[] content) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      replaceUninterrupted(target, content);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void replaceUninterrupted(Path target, byte[] content) throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temp = directory.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel = create(temp)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectoryUninterrupted(directory);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Forces a directory's entries (a rename, a new file) to the device, where the platform can. */
  public static void forceDirectory(Path directory) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      forceDirectoryUninterrupted(directory);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void forceDirectoryUninterrupted(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (UnsupportedOperationException e) {
      // A file system that cannot open a directory: the rename is as durable as it gets there.
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e; // Windows cannot open a directory for reading; elsewhere this is a real failure
      }
    }
  }

  private static FileChannel create(Path file) throws IOException {
    Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      return FileChannel.open(file, options,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      return FileChannel.open(file, options);
    }
  }
}
