package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.systemimage.internal.protocol.ImageFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Step 2: brings a remote payload into the content-addressed cache (verified size and sha256,
 * then its signature when a keyring is configured), reporting progress over all the bytes of
 * the device's image: the mirror is the first 60% of a device's progress.
 */
final class MirrorStep {
  private static final double SHARE = 0.6;

  private final VerifyingClient remote;
  private final BlobStore blobs;
  private final DeviceReport report;
  private final long total;
  private long done;

  MirrorStep(VerifyingClient remote, BlobStore blobs, DeviceReport report, long totalBytes) {
    this.remote = remote;
    this.blobs = blobs;
    this.report = report;
    this.total = Math.max(1, totalBytes);
  }

  Path call(ImageFile f) throws IOException {
    boolean cached = blobs.has(f.checksum(), f.size());
    report.log((cached ? "already have " : "mirroring ") + f.path() + " (" + f.size()
        + " bytes, sha256 " + f.checksum() + ")");
    long before = done;
    Downloader.ProgressListener progress = (bytes, all) -> report.progress(
        SHARE * (before + bytes) / total, "mirroring " + f.path().fileName());
    Path blob = blobs.fetch(remote.uri(f.path()), f.checksum(), f.size(), progress);
    done += f.size();
    report.progress(SHARE * done / total, "mirrored " + f.path().fileName());
    if (remote.verifyPayload(f, blob)) {
      report.log("signature of " + f.path() + " verified");
    }
    return blob;
  }
}
