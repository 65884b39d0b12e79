package dev.imagebuilder.testkit.internal.systemimage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Small generated payload tarballs in the layouts the system-image recovery unpacks. */
public final class FakeTarballs {
  private static final Date MTIME = new Date(1_700_000_000_000L);

  private FakeTarballs() {}

  /** A tar.xz being assembled. */
  public static final class Tar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    public Tar() {
      try {
        tar = new TarArchiveOutputStream(new XZOutputStream(bytes, new LZMA2Options(1)), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public Tar dir(String name) {
      TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
      e.setMode(040755);
      return put(e, null);
    }

    public Tar file(String name, byte[] content, int mode) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
      e.setMode(0100000 | mode);
      e.setSize(content.length);
      return put(e, content);
    }

    public Tar file(String name, String content) {
      return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public Tar symlink(String name, String target) {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      e.setLinkName(target);
      return put(e, null);
    }

    private Tar put(TarArchiveEntry e, byte[] content) {
      e.setModTime(MTIME);
      e.setUserName("");
      e.setGroupName("");
      e.setIds(0, 0);
      try {
        tar.putArchiveEntry(e);
        if (content != null) {
          tar.write(content);
        }
        tar.closeArchiveEntry();
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      return this;
    }

    public byte[] finish() {
      try {
        tar.finish();
        tar.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }
  }

  /** A tiny Ubuntu Touch rootfs re-rooted under system/, as cdimage-ubuntu/http-cdimage make it. */
  public static byte[] rootfs(String series) {
    Tar t = new Tar().dir("system").dir("system/etc").dir("system/usr").dir("system/usr/bin")
        .dir("system/var").dir("system/var/lib").dir("system/var/lib/dpkg")
        .file("system/etc/os-release", "NAME=\"Ubuntu\"\nVERSION_CODENAME=" + series + "\nID=ubuntu\n")
        .file("system/var/lib/dpkg/status", "Package: base-files\nStatus: install ok installed\n"
            + "Version: 11ubuntu5\nArchitecture: arm64\n\n")
        .file("system/usr/bin/fake-shell", "#!/bin/sh\necho fake\n".getBytes(StandardCharsets.UTF_8), 0755)
        .symlink("system/bin", "usr/bin")
        .dir("system/android").dir("system/vendor").dir("system/userdata").dir("system/lib")
        .dir("system/lib/modules")
        .symlink("system/etc/mtab", "/proc/mounts");
    for (String link : new String[] {"cache", "data", "factory", "firmware", "persist", "system", "odm"}) {
      t.symlink("system/" + link, "/android/" + link);
    }
    return t.finish();
  }

  /** A device tarball: android partitions and a system/ overlay. */
  public static byte[] device(String device, long seed) {
    byte[] boot = new byte[48 * 1024];
    new Random(seed).nextBytes(boot); // incompressible, like real partition images
    return new Tar().dir("partitions").file("partitions/boot.img", boot, 0644)
        .dir("system").dir("system/var").dir("system/var/lib").dir("system/var/lib/lxc")
        .dir("system/var/lib/lxc/android")
        .file("system/var/lib/lxc/android/device", device + "\n").finish();
  }

  /** The keyring payload: the archive-master keyring where the device looks for it. */
  public static byte[] keyringPayload(byte[] archiveMasterTarball, byte[] signature) {
    return new Tar().dir("system").dir("system/usr").dir("system/usr/share")
        .dir("system/usr/share/system-image")
        .file("system/usr/share/system-image/archive-master.tar.xz", archiveMasterTarball, 0644)
        .file("system/usr/share/system-image/archive-master.tar.xz.asc", signature, 0644).finish();
  }

  /** A keyring tarball: keyring.gpg and keyring.json. */
  public static byte[] keyring(String type, byte[] publicKeys, Long expiry) {
    String json = "{\"type\": \"" + type + "\"" + (expiry == null ? "" : ", \"expiry\": " + expiry) + "}";
    return new Tar().file("keyring.gpg", publicKeys, 0644).file("keyring.json", json).finish();
  }

  /** A version tarball with channel.ini. */
  public static byte[] version(String channel, String device, int build, String host) {
    String ini = "[service]\nbase: " + host + "\nhttp_port: 80\nhttps_port: 443\nchannel: " + channel
        + "\ndevice: " + device + "\nbuild_number: " + build + "\n";
    return new Tar().dir("system").dir("system/etc").file("system/etc/ubuntu-build", build + "\n")
        .dir("system/etc/system-image").file("system/etc/system-image/channel.ini", ini)
        .dir("system/etc/system-image/config.d")
        .symlink("system/etc/system-image/config.d/00_default.ini", "../client.ini")
        .symlink("system/etc/system-image/config.d/01_channel.ini", "../channel.ini").finish();
  }
}
