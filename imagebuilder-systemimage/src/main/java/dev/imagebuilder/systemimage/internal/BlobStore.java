package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.spi.Downloader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Content-addressed cache of verified remote files: {@code <dir>/<sha256>}. A file gets here only
 * through the core's {@link Downloader}, which checks size and sha256 before moving it into
 * place, so a file present under its digest is never fetched again. Concurrent requests for one
 * digest share one download.
 */
public final class BlobStore {
  private final Path directory;
  private final Downloader downloader;
  private final Map<String, Shared> inFlight = new HashMap<>(); // guarded by itself

  /** One download and the number of builds waiting for it. */
  private static final class Shared {
    final CompletableFuture<Downloader.Download> download;
    int waiters;

    Shared(CompletableFuture<Downloader.Download> download) {
      this.download = download;
    }
  }

  public BlobStore(Path directory, Downloader downloader) {
    this.directory = directory;
    this.downloader = downloader;
  }

  /** True when the blob is already here (and has the expected size). */
  public boolean has(String sha256, long size) {
    Path p = directory.resolve(sha256);
    try {
      return Files.isRegularFile(p) && Files.size(p) == size;
    } catch (IOException e) {
      return false;
    }
  }

  public Path path(String sha256) {
    return directory.resolve(sha256);
  }

  /**
   * The verified file with this digest, downloading it from {@code source} if it is not here.
   * Blocks; interrupting the thread cancels the download.
   */
  public Path fetch(URI source, String sha256, long size, Downloader.ProgressListener progress)
      throws IOException {
    Path target = directory.resolve(sha256);
    if (has(sha256, size)) {
      return target;
    }
    Files.createDirectories(directory);
    Shared shared;
    synchronized (inFlight) {
      shared = inFlight.get(sha256);
      if (shared == null) {
        Shared created = new Shared(
            downloader.download(new Downloader.Request(source, target, size, sha256), progress));
        inFlight.put(sha256, created);
        // Registered after the put, so a download that is already over is removed at once.
        created.download.whenComplete((d, e) -> {
          synchronized (inFlight) {
            inFlight.remove(sha256, created);
          }
        });
        shared = created;
      }
      shared.waiters++;
    }
    try {
      return shared.download.get().path();
    } catch (InterruptedException e) {
      // Only this build was cancelled: the download stops when no other build still waits.
      boolean last;
      synchronized (inFlight) {
        last = --shared.waiters == 0;
        if (last) {
          inFlight.remove(sha256, shared);
        }
      }
      if (last) {
        shared.download.cancel(true);
      }
      Thread.currentThread().interrupt();
      throw new BuildCancelledException("-", "download of " + source + " cancelled");
    } catch (CancellationException e) {
      throw new BuildCancelledException("-", "download of " + source + " cancelled");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof IOException io) {
        throw io;
      }
      throw new ImageBuildException("download of " + source + " failed: " + c, c);
    }
  }
}
