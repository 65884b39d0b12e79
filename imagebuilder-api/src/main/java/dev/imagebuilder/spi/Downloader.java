package dev.imagebuilder.spi;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Streams a URL to a file in constant memory, computing size and sha256 on the way. The body is
 * written to a temporary file beside the target and moved into place atomically only once it
 * checks out; a mismatch fails with {@link dev.imagebuilder.api.IntegrityException} and leaves
 * nothing behind. Cancelling the returned future aborts the transfer and removes the partial file.
 */
public interface Downloader {
  CompletableFuture<Download> download(Request request, ProgressListener progress);

  /**
   * What to download.
   *
   * @param expectedSize the size in bytes, or -1 when unknown
   * @param expectedSha256 the lower-case hex sha256, or {@code null} when unknown
   */
  record Request(URI source, Path target, long expectedSize, String expectedSha256) {
    public Request {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(target, "target");
    }

    public static Request of(URI source, Path target) {
      return new Request(source, target, -1, null);
    }
  }

  /** A verified file in place. */
  record Download(URI source, Path path, long size, String sha256) {}

  /** Told of progress at most a few times a second; {@code total} is -1 when unknown. */
  @FunctionalInterface
  interface ProgressListener {
    ProgressListener NONE = (bytes, total) -> {};

    void onProgress(long bytes, long total);
  }
}
