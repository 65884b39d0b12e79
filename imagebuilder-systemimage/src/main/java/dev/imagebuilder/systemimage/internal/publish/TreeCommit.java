package dev.imagebuilder.systemimage.internal.publish;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.systemimage.internal.pgp.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Moves staged files (each with its {@code .asc}) into the published tree, in the order given,
 * and undoes everything if one move fails. Every file and directory it places is world-readable
 * (0644 and 0755): the tree is served by a web server that runs as another user.
 */
final class TreeCommit {
  private final Path root;
  private final Path staging;
  private final ChannelPublisher.CommitObserver observer;
  private final List<Path> added = new ArrayList<>();
  private final List<Path[]> replaced = new ArrayList<>();
  private final List<Path> createdDirectories = new ArrayList<>();

  TreeCommit(Path root, Path staging, ChannelPublisher.CommitObserver observer) {
    this.root = root;
    this.staging = staging;
    this.observer = observer;
  }

  void run(List<Path> stagedFiles) throws IOException {
    Path backups = staging.resolve(".backup");
    try {
      for (Path main : stagedFiles) {
        Path mainTarget = root.resolve(staging.relativize(main).toString());
        boolean pool = staging.relativize(main).startsWith("pool");
        // A payload already published is not staged again (nothing to check then).
        if (pool && Files.exists(main) && Files.exists(mainTarget)
            && (Files.size(mainTarget) != Files.size(main)
            || !Digests.sha256(mainTarget).equals(Digests.sha256(main)))) {
          throw new IntegrityException("pool file " + mainTarget
              + " already exists with different content; refusing to replace it");
        }
        // The signature first, so a reader never sees a new file with a missing .asc.
        for (Path staged : List.of(main.resolveSibling(main.getFileName() + ".asc"), main)) {
          if (!Files.exists(staged)) {
            continue;
          }
          Path rel = staging.relativize(staged);
          Path target = root.resolve(rel.toString());
          if (Files.exists(target)) {
            if (pool && staged.equals(main)) {
              continue; // the same content is already published: pool files are never replaced
            }
            // Replaceable: a document, or the .asc of identical pool content. Two signatures of
            // the same bytes differ (time, length); the newer one is just as valid.
            Path backup = backups.resolve(rel.toString());
            Files.createDirectories(backup.getParent());
            Files.copy(target, backup, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
            replaced.add(new Path[] {target, backup});
          } else {
            added.add(target);
          }
          createPublicDirectories(target.getParent());
          AtomicFiles.makePublic(staged);
          AtomicFiles.move(staged, target);
          observer.moved(target);
        }
      }
    } catch (IOException | RuntimeException e) {
      rollback(e);
      throw e;
    }
  }

  /** Creates the missing directories up to {@code dir}, each 0755 whatever the umask. */
  private void createPublicDirectories(Path dir) throws IOException {
    List<Path> missing = new ArrayList<>();
    for (Path d = dir; d != null && d.startsWith(root) && !Files.isDirectory(d); d = d.getParent()) {
      missing.add(0, d);
    }
    for (Path d : missing) {
      Files.createDirectory(d);
      AtomicFiles.makePublic(d);
      createdDirectories.add(d);
    }
  }

  private void rollback(Exception cause) {
    for (int i = replaced.size() - 1; i >= 0; i--) {
      try {
        AtomicFiles.move(replaced.get(i)[1], replaced.get(i)[0]);
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
    for (int i = added.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(added.get(i));
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
    for (int i = createdDirectories.size() - 1; i >= 0; i--) {
      try (Stream<Path> s = Files.list(createdDirectories.get(i))) {
        if (s.findAny().isEmpty()) {
          Files.delete(createdDirectories.get(i));
        }
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
  }
}
