package dev.imagebuilder.systemimage.internal.tar;

import dev.imagebuilder.api.IntegrityException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.tukaani.xz.XZInputStream;

/**
 * Unpacks a rootfs tarball into a directory and packs a directory back, keeping what a root
 * filesystem needs: owners, modes (with setuid bits), times, symlinks, hard links and device
 * nodes. Owners and device nodes need root; without it they are skipped and counted.
 *
 * <p>The tarball comes from a remote server, so unpacking never writes through a symlink and
 * never outside the directory, whatever the entry names say.
 */
public final class RootfsArchive {
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private RootfsArchive() {}

  /** What an unpack did, for the log. */
  public record Unpacked(long entries, long bytes, long skippedOwners, long skippedDevices) {}

  public static Unpacked unpack(Path tarXz, Path dir, boolean asRoot, Consumer<String> log)
      throws IOException {
    Files.createDirectories(dir);
    Path root = dir.toRealPath();
    long entries = 0;
    long bytes = 0;
    long skippedDevices = 0;
    Set<Path> checkedDirs = new HashSet<>();
    checkedDirs.add(root);
    List<Object[]> dirTimes = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(
        new BufferedInputStream(Files.newInputStream(tarXz), 1 << 16)), "UTF-8")) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        checkInterrupted();
        Path target = inside(root, e.getName());
        if (target.equals(root)) {
          continue;
        }
        ensureParents(root, target.getParent(), checkedDirs);
        if (e.isDirectory()) {
          if (Files.isSymbolicLink(target) || (Files.exists(target, NOFOLLOW)
              && !Files.isDirectory(target, NOFOLLOW))) {
            Files.delete(target);
          }
          Files.createDirectories(target);
          checkedDirs.add(target);
          dirTimes.add(new Object[] {target, e.getLastModifiedTime()});
        } else {
          removeExisting(target);
          if (e.isSymbolicLink()) {
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
          } else if (e.isLink()) {
            Path existing = inside(root, e.getLinkName());
            // link(2) resolves every directory of the existing name: a symlinked one would let
            // the tarball hard-link a host file into the tree (and the chroot could then write it).
            requireNoSymlinkParents(root, existing, e.getName());
            Files.createLink(target, existing);
            entries++;
            continue; // a hard link shares the target's owner, mode and times
          } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            if (!asRoot && !e.isFIFO()) {
              skippedDevices++;
              continue;
            }
            mknod(target, e);
          } else if (e.isFile()) {
            long copied = Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            bytes += copied;
          } else {
            log.accept("skipping tar entry " + e.getName() + " of unsupported type");
            continue;
          }
        }
        applyAttributes(target, e, asRoot);
        entries++;
      }
    }
    // Directory times last: creating entries inside a directory changes its mtime.
    for (int i = dirTimes.size() - 1; i >= 0; i--) {
      Path d = (Path) dirTimes.get(i)[0];
      FileTime t = (FileTime) dirTimes.get(i)[1];
      Files.getFileAttributeView(d, BasicFileAttributeView.class, NOFOLLOW).setTimes(t, null, null);
    }
    return new Unpacked(entries, bytes, asRoot ? 0 : entries, skippedDevices);
  }

  private static void applyAttributes(Path target, TarArchiveEntry e, boolean asRoot)
      throws IOException {
    boolean symlink = e.isSymbolicLink();
    if (asRoot) {
      Files.setAttribute(target, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
      Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
    }
    if (!symlink) {
      // chown clears setuid bits, so the mode comes after the owner. Not NOFOLLOW: the JDK then
      // opens the file to fchmod it, which fails on device nodes; target is no symlink here.
      Files.setAttribute(target, "unix:mode", e.getMode() & 07777);
    }
    // Setting times opens the file in the JDK; opening a device or FIFO could block or touch
    // hardware, so those keep the time of their creation.
    boolean special = e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO();
    if (!e.isDirectory() && !special) {
      Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW)
          .setTimes(e.getLastModifiedTime(), null, null);
    }
  }

  private static void mknod(Path target, TarArchiveEntry e) throws IOException {
    String type = e.isCharacterDevice() ? "c" : e.isBlockDevice() ? "b" : "p";
    List<String> cmd = new ArrayList<>(List.of("mknod", target.toString(), type));
    if (!e.isFIFO()) {
      cmd.add(Integer.toString(e.getDevMajor()));
      cmd.add(Integer.toString(e.getDevMinor()));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException("mknod " + target + " failed: " + out.strip());
      }
    } catch (InterruptedException ie) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while creating " + target);
    }
  }

  /** Unpacking or packing a rootfs takes minutes: a cancelled build must not wait for it. */
  private static void checkInterrupted() throws java.io.InterruptedIOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new java.io.InterruptedIOException("interrupted: the build was cancelled");
    }
  }

  private static void removeExisting(Path target) throws IOException {
    if (Files.isDirectory(target, NOFOLLOW)) {
      throw new IOException(target + " is a directory in the archive and then a non-directory");
    }
    Files.deleteIfExists(target);
  }

  /** Resolves an entry name under root, refusing absolute names and '..'. */
  static Path inside(Path root, String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    if (n.startsWith("/") || n.contains("\0")) {
      throw new IntegrityException("tar entry '" + name + "' is absolute");
    }
    for (String seg : n.split("/")) {
      if (seg.equals("..")) {
        throw new IntegrityException("tar entry '" + name + "' climbs out with '..'");
      }
    }
    Path p = root.resolve(n).normalize();
    if (!p.startsWith(root)) {
      throw new IntegrityException("tar entry '" + name + "' resolves outside the rootfs");
    }
    return p;
  }

  /** Refuses a path whose directories below root are not all real directories. */
  private static void requireNoSymlinkParents(Path root, Path path, String entry) {
    for (Path p = path.getParent(); p != null && !p.equals(root); p = p.getParent()) {
      if (!p.startsWith(root) || !Files.isDirectory(p, NOFOLLOW)) {
        throw new IntegrityException("tar entry '" + entry + "' hard-links "
            + root.relativize(path) + ", which is reached through a symbolic link or a non-directory");
      }
    }
  }

  /** Makes sure every directory from root to dir is a real directory, never a symlink. */
  private static void ensureParents(Path root, Path dir, Set<Path> checked) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; !checked.contains(p); p = p.getParent()) {
      if (p == null || !p.startsWith(root)) {
        throw new IntegrityException(dir + " is outside " + root);
      }
      missing.push(p);
    }
    for (Path p : missing) {
      if (Files.isSymbolicLink(p)) {
        throw new IntegrityException("tar entry below " + root.relativize(p)
            + " would be written through a symbolic link");
      }
      if (!Files.exists(p, NOFOLLOW)) {
        Files.createDirectory(p);
      } else if (!Files.isDirectory(p, NOFOLLOW)) {
        throw new IntegrityException(root.relativize(p) + " is not a directory");
      }
      checked.add(p);
    }
  }

  /** Packs every entry under {@code dir} (names relative to it, sorted) into {@code out}. */
  public static long pack(Path dir, TarXzWriter out) throws IOException {
    Path root = dir.toRealPath();
    Map<String, String> firstByInode = new HashMap<>();
    long[] count = {0};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        if (!d.equals(root)) {
          write(d, true);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        write(f, false);
        return FileVisitResult.CONTINUE;
      }

      private void write(Path p, boolean isDir) throws IOException {
        checkInterrupted();
        String name = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
        Map<String, Object> a = Files.readAttributes(p, "unix:*", NOFOLLOW);
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        TarArchiveEntry e;
        InputStream content = null;
        switch (type) {
          case 0040000 -> e = TarXzWriter.entry(name + "/", TarConstants.LF_DIR);
          case 0120000 -> {
            e = TarXzWriter.entry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
          }
          case 0100000 -> {
            String key = a.get("dev") + ":" + a.get("ino");
            String first = (Integer) a.get("nlink") > 1 ? firstByInode.putIfAbsent(key, name) : null;
            if (first != null) {
              e = TarXzWriter.entry(name, TarConstants.LF_LINK);
              e.setLinkName(first);
            } else {
              e = TarXzWriter.entry(name, TarConstants.LF_NORMAL);
              e.setSize((Long) a.get("size"));
              content = new BufferedInputStream(Files.newInputStream(p, NOFOLLOW), 1 << 16);
            }
          }
          case 0020000, 0060000 -> {
            e = TarXzWriter.entry(name, type == 0020000 ? TarConstants.LF_CHR : TarConstants.LF_BLK);
            long rdev = (Long) a.get("rdev");
            e.setDevMajor((int) (((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL)));
            e.setDevMinor((int) ((rdev & 0xff) | ((rdev >> 12) & 0xfff00)));
          }
          case 0010000 -> e = TarXzWriter.entry(name, TarConstants.LF_FIFO);
          default -> {
            return; // sockets cannot be archived and are meaningless in an image
          }
        }
        e.setMode(mode);
        e.setUserId((Integer) a.get("uid"));
        e.setGroupId((Integer) a.get("gid"));
        e.setModTime((FileTime) a.get("lastModifiedTime"));
        try (InputStream in = content) {
          out.put(e, in);
        }
        count[0]++;
      }
    });
    return count[0];
  }
}
