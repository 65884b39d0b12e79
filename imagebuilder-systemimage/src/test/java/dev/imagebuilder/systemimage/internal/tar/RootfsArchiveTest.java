package dev.imagebuilder.systemimage.internal.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.IntegrityException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsArchiveTest {
  private static final Instant T = Instant.parse("2024-01-02T03:04:05Z");
  @TempDir Path dir;
  final List<String> log = new ArrayList<>();

  @Test
  void packsAndUnpacksModesLinksAndTimes() throws Exception {
    Path tar = dir.resolve("in.tar.xz");
    try (TarXzWriter w = TarXzWriter.create(tar, 0)) {
      w.directory("system", 0755, T);
      w.directory("system/usr/bin", 0755, T);
      w.file("system/usr/bin/su", "su".getBytes(StandardCharsets.UTF_8), 04755, T);
      w.symlink("system/bin", "usr/bin", T);
      TarArchiveEntry link = TarXzWriter.entry("system/usr/bin/su2", TarConstants.LF_LINK);
      link.setLinkName("system/usr/bin/su");
      w.put(link, null);
    }
    Path tree = dir.resolve("tree");
    RootfsArchive.unpack(tar, tree, true, log::add);

    Path su = tree.resolve("system/usr/bin/su");
    assertThat((Integer) Files.getAttribute(su, "unix:mode") & 07777).isEqualTo(04755);
    assertThat(Files.getLastModifiedTime(su).toInstant()).isEqualTo(T);
    assertThat(Files.readSymbolicLink(tree.resolve("system/bin"))).isEqualTo(Path.of("usr/bin"));
    assertThat(Files.getAttribute(tree.resolve("system/usr/bin/su2"), "unix:ino"))
        .isEqualTo(Files.getAttribute(su, "unix:ino"));

    Path repacked = dir.resolve("out.tar.xz");
    try (TarXzWriter w = TarXzWriter.create(repacked, 0)) {
      RootfsArchive.pack(tree, w);
    }
    Path again = dir.resolve("again");
    RootfsArchive.unpack(repacked, again, true, log::add);
    assertThat((Integer) Files.getAttribute(again.resolve("system/usr/bin/su"), "unix:mode") & 07777)
        .isEqualTo(04755);
    assertThat(Files.isSymbolicLink(again.resolve("system/bin"))).isTrue();
    assertThat(Files.getAttribute(again.resolve("system/usr/bin/su2"), "unix:nlink")).isEqualTo(2);
  }

  @Test
  void neverWritesOutsideTheTree() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    for (String name : List.of("../escape", "/etc/escape", "system/../../escape")) {
      Path tar = dir.resolve("evil.tar.xz");
      try (TarXzWriter w = TarXzWriter.create(tar, 0)) {
        TarArchiveEntry e = new TarArchiveEntry(name, true); // keep a leading '/', as a hostile tar would
        e.setSize(1);
        w.put(e, new java.io.ByteArrayInputStream(new byte[] {'x'}));
      }
      assertThatThrownBy(() -> RootfsArchive.unpack(tar, dir.resolve("t-" + name.hashCode()), true, log::add))
          .as(name).isInstanceOf(IntegrityException.class).hasMessageContaining(name);
    }
    // A symlink to the host, then a file "inside" it.
    Path tar = dir.resolve("symlink.tar.xz");
    try (TarXzWriter w = TarXzWriter.create(tar, 0)) {
      w.directory("system", 0755, T);
      w.symlink("system/etc", outside.toString(), T);
      w.file("system/etc/passwd", "root::0:0".getBytes(StandardCharsets.UTF_8), 0644, T);
    }
    assertThatThrownBy(() -> RootfsArchive.unpack(tar, dir.resolve("t-link"), true, log::add))
        .isInstanceOf(IntegrityException.class).hasMessageContaining("symbolic link");
    assertThat(outside.resolve("passwd")).doesNotExist();
    assertThat(Files.exists(dir.resolve("escape"), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void neverHardLinksAHostFileThroughASymlinkedDirectory() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("host-etc"));
    Files.writeString(outside.resolve("shadow"), "root:secret");
    Path tar = dir.resolve("hardlink.tar.xz");
    try (TarXzWriter w = TarXzWriter.create(tar, 0)) {
      w.directory("system", 0755, T);
      w.symlink("system/hostetc", outside.toString(), T);
      TarArchiveEntry link = TarXzWriter.entry("system/shadow", TarConstants.LF_LINK);
      link.setLinkName("system/hostetc/shadow");
      w.put(link, null);
    }
    Path tree = dir.resolve("t-hardlink");
    assertThatThrownBy(() -> RootfsArchive.unpack(tar, tree, true, log::add))
        .isInstanceOf(IntegrityException.class).hasMessageContaining("system/shadow");
    assertThat(Files.exists(tree.resolve("system/shadow"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.getAttribute(outside.resolve("shadow"), "unix:nlink")).isEqualTo(1);
  }
}
