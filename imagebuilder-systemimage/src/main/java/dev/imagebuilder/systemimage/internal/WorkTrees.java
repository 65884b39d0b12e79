package dev.imagebuilder.systemimage.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/**
 * Deletes an unpacked rootfs. It never crosses into another file system: should an unmount have
 * failed, a {@code /proc} still mounted inside the tree is left alone instead of being "deleted".
 */
final class WorkTrees {
  private WorkTrees() {}

  static void delete(Path dir, Consumer<String> log) {
    if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Object rootDev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          if (!rootDev.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
            log.accept("not deleting " + d + ": another file system is mounted there");
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) {
          try {
            Files.deleteIfExists(d);
          } catch (IOException notEmpty) {
            // left behind because something inside could not go; logged above
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.accept("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
