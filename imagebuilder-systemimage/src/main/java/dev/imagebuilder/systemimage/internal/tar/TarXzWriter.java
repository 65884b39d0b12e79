package dev.imagebuilder.systemimage.internal.tar;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZOutputStream;

/**
 * Writes a {@code .tar.xz} as the system-image recovery unpacks it: POSIX (pax) headers for long
 * names and big numbers, numeric owners only (the recovery extracts with {@code --numeric-owner};
 * names would be resolved against the wrong passwd).
 */
public final class TarXzWriter implements AutoCloseable {
  private final TarArchiveOutputStream tar;

  private TarXzWriter(TarArchiveOutputStream tar) {
    this.tar = tar;
  }

  /** Opens {@code target} for writing with xz preset {@code preset} (0 fastest to 9 smallest). */
  public static TarXzWriter create(Path target, int preset) throws IOException {
    LZMA2Options options;
    try {
      options = new LZMA2Options(preset);
    } catch (UnsupportedOptionsException e) {
      throw new IllegalArgumentException("xz preset must be 0 to 9: " + preset, e);
    }
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16);
    TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZOutputStream(out, options),
        java.nio.charset.StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    return new TarXzWriter(tar);
  }

  public static TarArchiveEntry entry(String name, byte type) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setUserName("");
    e.setGroupName("");
    e.setUserId(0);
    e.setGroupId(0);
    return e;
  }

  public void directory(String name, int mode, Instant mtime) throws IOException {
    TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
    e.setMode(040000 | mode);
    e.setModTime(FileTime.from(mtime));
    put(e, null);
  }

  public void file(String name, byte[] content, int mode, Instant mtime) throws IOException {
    TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
    e.setMode(0100000 | mode);
    e.setSize(content.length);
    e.setModTime(FileTime.from(mtime));
    put(e, new java.io.ByteArrayInputStream(content));
  }

  public void symlink(String name, String target, Instant mtime) throws IOException {
    TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
    e.setLinkName(target);
    e.setMode(0120777);
    e.setModTime(FileTime.from(mtime));
    put(e, null);
  }

  /** Writes an entry; {@code content} supplies exactly {@code entry.getSize()} bytes, or is null. */
  public void put(TarArchiveEntry entry, InputStream content) throws IOException {
    tar.putArchiveEntry(entry);
    if (content != null) {
      long copied = content.transferTo(tar);
      if (copied != entry.getSize()) {
        throw new IOException(entry.getName() + " changed size while being archived");
      }
    }
    tar.closeArchiveEntry();
  }

  @Override
  public void close() throws IOException {
    tar.finish();
    tar.close();
  }
}
