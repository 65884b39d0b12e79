package dev.imagebuilder.systemimage.internal.publish;

import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.tukaani.xz.XZInputStream;

/**
 * A delta between two payload tarballs, as the reference server's {@code diff.py} makes it: a
 * {@code .tar.xz} whose first member is a text file {@code removed}, listing (sorted, one per
 * line) every path that was deleted <em>or changed</em>, followed by every added or changed entry
 * of the target. The recovery removes the listed paths, then unpacks the rest; listing changed
 * paths too lets an entry change type (a directory becoming a symlink).
 *
 * <p>Entries compare by type, mode, owner, device numbers, link target and content (sha256);
 * modification times alone are no change. Hard links are always carried over, since the inode
 * they name may change under them. Target entries are copied in the target's own order, so a
 * hard link always follows the file it links to.
 */
public final class DeltaTarball {
  /** The name of the removal list inside a delta. */
  public static final String REMOVED = "removed";

  private DeltaTarball() {}

  /** What a delta holds: how many entries it carries and how many paths it removes. */
  public record Summary(int carried, int removed) {}

  public static Summary write(Path source, Path target, Path out, int xzPreset) throws IOException {
    Map<String, Entry> before = scan(source);
    Map<String, Entry> after = scan(target);
    TreeSet<String> removed = new TreeSet<>();
    TreeSet<String> carried = new TreeSet<>();
    for (Map.Entry<String, Entry> e : after.entrySet()) {
      Entry old = before.get(e.getKey());
      if (old == null) {
        carried.add(e.getKey());
      } else if (!e.getValue().sameAs(old)) {
        carried.add(e.getKey());
        removed.add(e.getKey());
      }
    }
    for (String path : before.keySet()) {
      if (!after.containsKey(path)) {
        removed.add(path);
      }
    }
    byte[] list = (String.join("\n", removed) + "\n").getBytes(StandardCharsets.UTF_8);
    try (TarXzWriter tar = TarXzWriter.create(out, xzPreset);
        TarArchiveInputStream in = open(target)) {
      tar.file(REMOVED, list, 0644, Instant.now());
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (carried.contains(name(e))) {
          tar.put(e, regular(e) ? in : null);
        }
      }
    }
    return new Summary(carried.size(), removed.size());
  }

  private static TarArchiveInputStream open(Path tarXz) throws IOException {
    return new TarArchiveInputStream(new XZInputStream(
        new BufferedInputStream(Files.newInputStream(tarXz), 1 << 16)), "UTF-8");
  }

  private static String name(TarArchiveEntry e) {
    String n = e.getName();
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    while (n.endsWith("/") && n.length() > 1) {
      n = n.substring(0, n.length() - 1);
    }
    return n;
  }

  private static boolean regular(TarArchiveEntry e) {
    return e.isFile() && !e.isLink() && !e.isSymbolicLink() && !e.isCharacterDevice()
        && !e.isBlockDevice() && !e.isFIFO();
  }

  private static Map<String, Entry> scan(Path tarXz) throws IOException {
    Map<String, Entry> out = new HashMap<>();
    try (TarArchiveInputStream in = open(tarXz)) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.put(name(e), Entry.of(e, in));
      }
    }
    return out;
  }

  /** What of an entry counts for a change. */
  private record Entry(byte type, boolean directory, int mode, long uid, long gid, int devMajor,
      int devMinor, String link, byte[] sha256) {
    static Entry of(TarArchiveEntry e, InputStream content) throws IOException {
      byte[] sha = regular(e) ? digest(content) : null;
      byte type = e.isDirectory() ? TarConstants.LF_DIR : e.isSymbolicLink() ? TarConstants.LF_SYMLINK
          : e.isLink() ? TarConstants.LF_LINK : e.isCharacterDevice() ? TarConstants.LF_CHR
          : e.isBlockDevice() ? TarConstants.LF_BLK : e.isFIFO() ? TarConstants.LF_FIFO
          : TarConstants.LF_NORMAL;
      return new Entry(type, e.isDirectory(), e.getMode() & 07777, e.getLongUserId(),
          e.getLongGroupId(), e.getDevMajor(), e.getDevMinor(),
          e.isSymbolicLink() || e.isLink() ? e.getLinkName() : null, sha);
    }

    boolean sameAs(Entry old) {
      if (directory && old.directory) {
        return true; // the reference server compares directories by path only
      }
      if (type == TarConstants.LF_LINK || old.type == TarConstants.LF_LINK) {
        return false;
      }
      return type == old.type && mode == old.mode && uid == old.uid && gid == old.gid
          && devMajor == old.devMajor && devMinor == old.devMinor && Objects.equals(link, old.link)
          && Arrays.equals(sha256, old.sha256);
    }

    private static byte[] digest(InputStream in) throws IOException {
      MessageDigest md;
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return md.digest();
    }
  }
}
