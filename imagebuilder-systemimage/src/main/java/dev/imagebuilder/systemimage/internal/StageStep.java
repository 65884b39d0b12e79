package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import dev.imagebuilder.systemimage.internal.publish.ChannelPublisher;
import dev.imagebuilder.systemimage.internal.publish.PayloadFile;
import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * Step 4: places each payload in the publication's staging area under its content-addressed pool
 * name, and signs it. A file is <em>copied</em> there, never hard-linked: the published tree must
 * share no inode with the download cache (a later chmod or edit of one would change the other).
 * A payload the tree already holds is not staged again.
 */
final class StageStep {
  private final ChannelPublisher publisher;
  private final Path staging;

  StageStep(ChannelPublisher publisher, Path staging) {
    this.publisher = publisher;
    this.staging = staging;
  }

  PayloadFile call(String prefix, Path file, String sha, int order) throws IOException {
    long size = Files.size(file);
    RemotePath path = RemotePath.of("pool", "/pool/" + prefix + "-" + sha + ".tar.xz");
    Path published = path.resolveUnder(publisher.root());
    Path staged = path.resolveUnder(staging);
    if (!(Files.isRegularFile(published) && Files.size(published) == size)) {
      Files.createDirectories(staged.getParent());
      Files.copy(file, staged, StandardCopyOption.REPLACE_EXISTING);
      publisher.sign(staged);
    }
    return new PayloadFile(path, staged, sha, size, order);
  }

  /** The keyring payload: our archive-master where the recovery and client look for it. */
  Path keyringPayload(Path archiveMaster) throws IOException {
    Path out = staging.resolve("keyring-payload.tar.xz");
    Instant mtime = Files.getLastModifiedTime(archiveMaster).toInstant();
    try (TarXzWriter tar = TarXzWriter.create(out, 6)) {
      tar.directory("system", 0755, mtime);
      tar.directory("system/usr", 0755, mtime);
      tar.directory("system/usr/share", 0755, mtime);
      tar.directory("system/usr/share/system-image", 0755, mtime);
      tar.file("system/usr/share/system-image/archive-master.tar.xz",
          Files.readAllBytes(archiveMaster), 0644, mtime);
      Path asc = archiveMaster.resolveSibling(archiveMaster.getFileName() + ".asc");
      tar.file("system/usr/share/system-image/archive-master.tar.xz.asc",
          Files.readAllBytes(asc), 0644, mtime);
    }
    return out;
  }
}
