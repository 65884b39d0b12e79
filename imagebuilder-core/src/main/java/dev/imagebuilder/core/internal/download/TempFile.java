package dev.imagebuilder.core.internal.download;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.core.internal.io.DurableFiles;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of one transfer on their way to the target: a temporary file beside it, with the
 * size and sha256 computed as they are written. Every method is safe to call from any thread;
 * {@link #discard} wins over a write in progress and always leaves no file behind.
 *
 * <p>Written data is forced to disk every {@link #FORCE_EVERY} bytes as it arrives, so the
 * page cache never holds much unwritten data and the final fsync before the move is short; a
 * single fsync of a whole GiB at the end stalls for as long as the disk needs to write it all.
 * Each early force runs on the flusher while the next bytes are written, so the disk and the
 * network work at the same time; a write waits only when the previous force is still running
 * once the next one is due, which bounds the unforced data to about twice that.
 */
final class TempFile {
  static final long FORCE_EVERY = 64L << 20;
  private static final Logger log = LoggerFactory.getLogger(TempFile.class);
  /** Opens the temporary file for writing; tests put a failing channel here. */
  @FunctionalInterface
  interface Opener {
    Opener DEFAULT = path -> FileChannel.open(path, StandardOpenOption.WRITE);

    FileChannel open(Path path) throws IOException;
  }

  private final URI source;
  private final Path target;
  private final long expectedSize;
  private final ProgressThrottle progress;
  private final MessageDigest digest;
  private final Path path;
  private FileChannel channel;
  private long size;
  private long unforced;
  private final Executor flusher;
  private final long forceEvery;
  /** The early force in progress, if any; a FutureTask so that a waiting writer can run it. */
  private FutureTask<Void> flushing;
  private boolean discarded;

  private TempFile(URI source, Path target, long expectedSize, ProgressThrottle progress,
      Opener opener, Executor flusher, long forceEvery) throws IOException {
    this.flusher = flusher;
    this.forceEvery = forceEvery;
    this.source = source;
    this.target = target;
    this.expectedSize = expectedSize;
    this.progress = progress;
    this.digest = sha256();
    String name = target.getFileName().toString();
    this.path = Files.createTempFile(target.getParent(), "." + name + ".", ".part");
    try {
      this.channel = opener.open(path);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(path);
      throw e;
    }
  }

  /**
   * @param flusher runs the early forces (the shared worker pool)
   * @param forceEvery bytes between early forces: {@link #FORCE_EVERY} but in tests
   */
  static TempFile create(URI source, Path target, long expectedSize, ProgressThrottle progress,
      Opener opener, Executor flusher, long forceEvery) {
    try {
      return new TempFile(source, target, expectedSize, progress, opener, flusher, forceEvery);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file beside " + target, e);
    }
  }

  Path path() {
    return path;
  }

  /** The size the request declared, or -1. */
  long expectedSize() {
    return expectedSize;
  }

  /** Appends the buffer; fails early once more bytes arrived than expected. */
  void write(ByteBuffer buffer) {
    write(new ByteBuffer[] {buffer});
  }

  /**
   * Appends the buffers in one gathering write; fails before writing anything once more bytes
   * arrived than expected.
   */
  synchronized void write(ByteBuffer[] buffers) {
    if (discarded) {
      throw stopped();
    }
    long n = 0;
    for (ByteBuffer b : buffers) {
      n += b.remaining();
    }
    if (expectedSize >= 0 && size + n > expectedSize) {
      throw sizeMismatch(expectedSize, "at least " + (size + n));
    }
    for (ByteBuffer b : buffers) {
      digest.update(b.duplicate());
    }
    try {
      long left = n;
      while (left > 0) {
        left -= channel.write(buffers);
      }
      size += n;
      unforced += n;
      if (unforced >= forceEvery) {
        awaitFlush();
        startFlush();
        unforced = 0;
      }
    } catch (IOException e) {
      // Unchecked, so that the HTTP layer does not take a local disk problem for a network one.
      throw new UncheckedIOException("cannot write " + path, e);
    }
    progress.advanced(size);
  }

  /**
   * Checks size and sha256 and moves the file into place atomically. On a mismatch the file
   * is removed and the target left as it was.
   */
  synchronized Download commit(String expectedSha256) {
    if (discarded) {
      throw stopped();
    }
    try {
      awaitFlush();
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
      forceDirectory();
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

  /** Data only: the size is settled by the final force(true). */
  private void startFlush() {
    FileChannel c = channel;
    FutureTask<Void> task = new FutureTask<>(() -> {
      c.force(false);
      return null;
    });
    flushing = task;
    try {
      flusher.execute(task);
    } catch (RejectedExecutionException e) {
      // The pool is shutting down: the next wait runs the force itself.
    }
  }

  /**
   * Waits for the early force in progress; runs it here if the pool has not started it yet, so
   * that a writer never waits for a task queued behind itself.
   */
  private void awaitFlush() throws IOException {
    FutureTask<Void> task = flushing;
    if (task == null) {
      return;
    }
    flushing = null;
    task.run(); // does nothing if it has started already
    try {
      task.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while forcing " + path + " to disk");
    }
  }

  /** The rename is durable only once the directory holding the new name is on disk too. */
  private void forceDirectory() {
    try {
      DurableFiles.forceDirectory(target.getParent());
    } catch (IOException e) {
      // Some systems cannot open or sync a directory; the file itself is on disk already.
      log.debug("cannot sync the directory {}: {}", target.getParent(), e.toString());
    }
  }

  private CancellationException stopped() {
    return new CancellationException("download of " + Uris.withoutSecrets(source) + " stopped");
  }

  IntegrityException sizeMismatch(long expected, String actual) {
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
