package dev.imagebuilder.core.internal.download;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.core.internal.net.Uris;
import dev.imagebuilder.spi.Downloader.Download;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;

/**
 * The bytes of one transfer on their way to the target: a temporary file beside it, with the
 * size and sha256 computed as they are written. Every method is safe to call from any thread;
 * {@link #discard} wins over a write in progress and always leaves no file behind.
 */
final class TempFile {
  private final URI source;
  private final Path target;
  private final long expectedSize;
  private final ProgressThrottle progress;
  private final MessageDigest digest;
  private final Path path;
  private FileChannel channel;
  private long size;
  private boolean discarded;

  private TempFile(URI source, Path target, long expectedSize, ProgressThrottle progress)
      throws IOException {
    this.source = source;
    this.target = target;
    this.expectedSize = expectedSize;
    this.progress = progress;
    this.digest = sha256();
    String name = target.getFileName().toString();
    this.path = Files.createTempFile(target.getParent(), "." + name + ".", ".part");
    this.channel = FileChannel.open(path, StandardOpenOption.WRITE);
  }

  static TempFile create(URI source, Path target, long expectedSize, ProgressThrottle progress) {
    try {
      return new TempFile(source, target, expectedSize, progress);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file beside " + target, e);
    }
  }

  Path path() {
    return path;
  }

  /** Appends the buffer; fails early once more bytes arrived than expected. */
  synchronized void write(ByteBuffer buffer) {
    if (discarded) {
      throw new CancellationException("download of " + Uris.withoutSecrets(source) + " stopped");
    }
    int n = buffer.remaining();
    if (expectedSize >= 0 && size + n > expectedSize) {
      throw sizeMismatch(expectedSize, "at least " + (size + n));
    }
    digest.update(buffer.duplicate());
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      // Unchecked, so that the HTTP layer does not take a local disk problem for a network one.
      throw new UncheckedIOException("cannot write " + path, e);
    }
    size += n;
    progress.advanced(size);
  }

  /**
   * Checks size and sha256 and moves the file into place atomically. On a mismatch the file
   * is removed and the target left as it was.
   */
  synchronized Download commit(String expectedSha256) {
    if (discarded) {
      throw new CancellationException("download of " + Uris.withoutSecrets(source) + " stopped");
    }
    try {
      channel.force(true);
      channel.close();
      if (expectedSize >= 0 && size != expectedSize) {
        throw sizeMismatch(expectedSize, Long.toString(size));
      }
      String sha256 = HexFormat.of().formatHex(digest.digest());
      if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha256)) {
        throw new IntegrityException("sha256 mismatch for " + Uris.withoutSecrets(source)
            + ": expected " + expectedSha256.toLowerCase(java.util.Locale.ROOT)
            + ", got " + sha256);
      }
      progress.finished(size);
      move();
      discarded = true; // nothing of ours is left to remove
      return new Download(source, target, size, sha256);
    } catch (IOException e) {
      discard();
      throw new UncheckedIOException("cannot move " + path + " to " + target, e);
    } catch (RuntimeException e) {
      discard();
      throw e;
    }
  }

  /** Stops the transfer for good and removes the temporary file. Idempotent. */
  synchronized void discard() {
    if (discarded) {
      return;
    }
    discarded = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // the file goes anyway
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // nothing more can be done; the name marks it as a partial file
    }
  }

  private void move() throws IOException {
    try {
      Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      // Same directory, so this only happens on file systems without rename; still one step.
      Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private IntegrityException sizeMismatch(long expected, String actual) {
    return new IntegrityException("size mismatch for " + Uris.withoutSecrets(source)
        + ": expected " + expected + " bytes, got " + actual);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
