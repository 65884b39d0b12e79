package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.Downloader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** Lets the benchmark drive the backend's mirror path (the package-private blob store). */
public final class BlobStoreAccess {
  private BlobStoreAccess() {}

  public static Path fetch(Path cache, BackendContext context, URI uri, String sha256, long size)
      throws IOException {
    return new BlobStore(cache, context.downloader()).fetch(uri, sha256, size, Downloader.ProgressListener.NONE);
  }
}
