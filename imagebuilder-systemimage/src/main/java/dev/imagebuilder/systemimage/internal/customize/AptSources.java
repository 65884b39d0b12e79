package dev.imagebuilder.systemimage.internal.customize;

import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.systemimage.AptSource;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes each PPA into a rootfs as apt expects it from apt 1.1 on: a deb822 file in
 * {@code /etc/apt/sources.list.d/} whose {@code Signed-By} names the PPA's armoured key in
 * {@code /etc/apt/keyrings/}, so the key is trusted for that source only (unlike the deprecated
 * {@code apt-key}).
 */
public final class AptSources {
  private final String urlTemplate;
  private final PpaKeySource keys;

  public AptSources(String urlTemplate, PpaKeySource keys) {
    this.urlTemplate = urlTemplate;
    this.keys = keys;
  }

  public AptSource describe(Ppa ppa, Series series) {
    String base = "imagebuilder-" + ppa.owner() + "-" + ppa.distribution() + "-" + ppa.name();
    URI uri = URI.create(urlTemplate.replace("{owner}", ppa.owner()).replace("{name}", ppa.name())
        .replace("{distribution}", ppa.distribution()));
    return new AptSource(ppa, uri, series.codenameOrVersion(), List.of("main"),
        "/etc/apt/sources.list.d/" + base + ".sources", "/etc/apt/keyrings/" + base + ".asc");
  }

  /** Writes every PPA's files into {@code rootfs}; returns what was written. */
  public List<AptSource> write(Path rootfs, List<Ppa> ppas, Series series) throws IOException {
    List<AptSource> out = new ArrayList<>();
    for (Ppa ppa : ppas) {
      AptSource s = describe(ppa, series);
      writeInside(rootfs, s.keyFile(), keys.armoredKey(ppa));
      writeInside(rootfs, s.sourcesFile(), s.deb822().getBytes(StandardCharsets.UTF_8));
      out.add(s);
    }
    return out;
  }

  /** Writes a file at an absolute in-rootfs path, never following symlinks out of the rootfs. */
  static void writeInside(Path rootfs, String absolute, byte[] content) throws IOException {
    Path root = rootfs.toRealPath();
    Path dir = root;
    String[] parts = absolute.substring(1).split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      dir = dir.resolve(parts[i]);
      if (Files.isSymbolicLink(dir)) {
        // /etc/apt in a rootfs must be a real directory; a symlink could lead to the host.
        throw new IOException(root.relativize(dir) + " in the rootfs is a symbolic link");
      }
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:mode", 0755);
      }
    }
    Path file = dir.resolve(parts[parts.length - 1]);
    Files.deleteIfExists(file);
    Files.write(file, content);
    Files.setAttribute(file, "unix:mode", 0644);
  }
}
