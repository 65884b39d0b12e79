package dev.imagebuilder.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A backend's scratch directory that a crash does not leave behind for good.
 *
 * <p>It is made with an exclusive lock on a file inside it, held until {@link #close()} deletes
 * the directory. The operating system drops the lock when the process ends, however it ends
 * ({@code kill -9} too), so a directory whose lock is free belongs to no live build:
 * {@link #sweep} removes such directories, and the next build in the same place cleans up after a
 * killed one. Directories without a lock file (made by something else, or by an older version)
 * are left alone.
 *
 * <p>Deleting never crosses into another file system mounted below the directory (a chroot's
 * {@code /proc} or {@code /dev} that a killed build left mounted): that part is left, and said.
 */
public final class WorkDirectory implements AutoCloseable {
  private static final String LOCK_FILE = ".imagebuilder-owner.lock";
  private static final String CREATING = ".creating-";
  /** A directory still being made after this long was abandoned half-way. */
  private static final Duration ABANDONED_CREATION = Duration.ofHours(1);
  /**
   * The directories this JVM holds. Their lock files are never opened by a sweep here: closing
   * any channel on a file drops every POSIX lock this process holds on it.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path path;
  private final FileChannel channel;
  private final Consumer<String> log;

  private WorkDirectory(Path path, FileChannel channel, Consumer<String> log) {
    this.path = path;
    this.channel = channel;
    this.log = log;
  }

  /**
   * Makes a new directory {@code <prefix><random>} in {@code parent} (created if missing). It is
   * made under another name and renamed once locked, so no sweep ever sees it unlocked.
   *
   * @param log where what could not be deleted at {@link #close()} is said
   */
  public static WorkDirectory create(Path parent, String prefix, Consumer<String> log) throws IOException {
    Files.createDirectories(parent);
    Path creating = Files.createTempDirectory(parent, CREATING + prefix);
    FileChannel channel = lock(creating);
    if (channel == null) {
      throw new IOException(creating + " was locked by someone else while being made");
    }
    Path path = parent.resolve(prefix + creating.getFileName().toString().substring(CREATING.length() + prefix.length()));
    try {
      Files.move(creating, path, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      channel.close();
      deleteTree(creating, log);
      throw e;
    }
    HELD.add(path.toAbsolutePath().normalize());
    return new WorkDirectory(path, channel, log);
  }

  /**
   * Takes {@code dir} (created if missing), for work that a later run of the same build may pick
   * up: what a killed run left there is kept. Fails if a live process holds it.
   */
  public static WorkDirectory claim(Path dir, Consumer<String> log) throws IOException {
    Path key = dir.toAbsolutePath().normalize();
    if (!HELD.add(key)) {
      throw new IOException(dir + " is in use by another build in this process");
    }
    try {
      Files.createDirectories(dir);
      FileChannel channel = lock(dir);
      if (channel == null) {
        throw new IOException(dir + " is in use by another process");
      }
      return new WorkDirectory(dir, channel, log);
    } catch (IOException | RuntimeException e) {
      HELD.remove(key);
      throw e;
    }
  }

  /**
   * Deletes the directories in {@code parent} whose names start with {@code prefix} and whose
   * owner is gone, and directories abandoned while being made; returns those deleted.
   */
  public static List<Path> sweep(Path parent, String prefix, Consumer<String> log) throws IOException {
    List<Path> swept = new ArrayList<>();
    if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
      return swept;
    }
    List<Path> children;
    try (Stream<Path> s = Files.list(parent)) {
      children = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    for (Path dir : children) {
      String name = dir.getFileName().toString();
      if (name.startsWith(CREATING + prefix)) {
        if (olderThan(dir, ABANDONED_CREATION)) {
          deleteTree(dir, log);
          swept.add(dir);
        }
      } else if (name.startsWith(prefix) && !name.startsWith(CREATING) && sweepIfUnowned(dir, log)) {
        swept.add(dir);
      }
    }
    return swept;
  }

  public Path path() {
    return path;
  }

  /** Deletes the directory, then lets it go. */
  @Override
  public void close() {
    try {
      deleteTree(path, log);
    } finally {
      release();
    }
  }

  /** Lets the directory go without deleting it: a later run of the same build may use what is in it. */
  public void keep() {
    release();
  }

  private void release() {
    try {
      channel.close(); // releases the lock
    } catch (IOException e) {
      log.accept("could not release the lock of " + path + ": " + e.getMessage());
    } finally {
      HELD.remove(path.toAbsolutePath().normalize());
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }

  /**
   * Deletes {@code dir} and everything below it on the same file system; what is mounted below is
   * skipped and said on {@code log}. A missing directory is not an error. A mount is recognised
   * by its device and, for a bind mount of the same file system, by the kernel's list of mount
   * points ({@code /proc/self/mountinfo}): a killed build may have left one inside its tree.
   */
  public static void deleteTree(Path dir, Consumer<String> log) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Object device = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
      Set<Path> mountPoints = mountPointsBelow(dir.toAbsolutePath().normalize());
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          if (!device.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))
              || mountPoints.contains(d.toAbsolutePath().normalize())) {
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
            log.accept("could not delete " + d + ": " + notEmpty.getMessage());
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException | UnsupportedOperationException | UncheckedIOException e) {
      log.accept("could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** The mount points at or below {@code dir} (Linux); none where the list cannot be read. */
  static Set<Path> mountPointsBelow(Path dir) {
    Path mountInfo = Path.of("/proc/self/mountinfo");
    if (!Files.isReadable(mountInfo)) {
      return Set.of();
    }
    Set<Path> found = new java.util.HashSet<>();
    try {
      for (String line : Files.readAllLines(mountInfo)) {
        String[] fields = line.split(" ");
        if (fields.length > 4) {
          Path point = Path.of(unescapeMountPath(fields[4]));
          if (point.startsWith(dir)) {
            found.add(point);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return Set.of();
    }
    return found;
  }

  /** mountinfo writes space, tab, newline and backslash in a path as octal escapes ({@code \040}). */
  private static String unescapeMountPath(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Deletes {@code dir} if it has a lock file nobody holds; holds the lock while deleting. */
  private static boolean sweepIfUnowned(Path dir, Consumer<String> log) throws IOException {
    Path key = dir.toAbsolutePath().normalize();
    if (!Files.exists(dir.resolve(LOCK_FILE), LinkOption.NOFOLLOW_LINKS) || !HELD.add(key)) {
      return false;
    }
    try {
      FileChannel channel = lock(dir);
      if (channel == null) {
        return false; // a live process owns it
      }
      try (channel) {
        log.accept("removing " + dir + ", left by a build that did not finish (its process is gone)");
        deleteTree(dir, log);
        return true;
      }
    } finally {
      HELD.remove(key);
    }
  }

  /** Opens and locks {@code dir}'s lock file; null if another process holds it. */
  private static FileChannel lock(Path dir) throws IOException {
    FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    try {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return channel;
      }
    } catch (OverlappingFileLockException e) {
      // Held in this JVM through a channel HELD does not know of (it cannot be, short of a bug):
      // closing this channel would drop that holder's lock too, so it is left open.
      return null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    channel.close();
    return null;
  }

  private static boolean olderThan(Path dir, Duration age) {
    try {
      return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant()
          .isBefore(Instant.now().minus(age));
    } catch (IOException e) {
      return false; // gone meanwhile, or unreadable: not ours to judge
    }
  }
}
