package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.systemimage.internal.publish.ChannelPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Everything one build needs, resolved from the configuration when the build starts. */
record BuildSetup(
    Settings settings,
    String targetChannel,
    VerifyingClient remote,
    ChannelPublisher publisher,
    BlobStore blobs,
    RootfsBuilder rootfsBuilder) {

  /**
   * Takes this build's work area (what a killed run of the same build left there is kept for it),
   * after removing the work areas of other builds whose process is gone.
   */
  WorkDirectory claimWork(String buildId, Consumer<String> log) throws IOException {
    WorkDirectory.sweep(settings.workDirectory(), "", log);
    return WorkDirectory.claim(settings.workDirectory().resolve(buildId.replaceAll("[^A-Za-z0-9._-]", "_")), log);
  }

  /** The KeyTool layout's {@code gpg/archive-master.tar.xz}, when a keys directory has it. */
  Optional<Path> archiveMasterKeyring() {
    return settings.keysDirectory().map(d -> d.resolve("gpg/archive-master.tar.xz"))
        .filter(p -> Files.isRegularFile(p)
            && Files.isRegularFile(p.resolveSibling("archive-master.tar.xz.asc")));
  }

  /** The keyrings (and their signatures) to publish under {@code /gpg/}. */
  List<Path> gpgFiles() throws IOException {
    Optional<Path> dir = settings.keysDirectory().map(d -> d.resolve("gpg"));
    if (dir.isEmpty() || !Files.isDirectory(dir.get())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir.get())) {
      // Listing the keyrings is enough: the publisher moves each file's .asc along with it.
      return s.filter(p -> p.getFileName().toString().endsWith(".tar.xz")).sorted().toList();
    }
  }

  /** Where devices reach the tree; {@code SystemImageBackend.setup} checked it is configured. */
  PublicAddress publicAddress() {
    return settings.publicAddress().orElseThrow();
  }
}
