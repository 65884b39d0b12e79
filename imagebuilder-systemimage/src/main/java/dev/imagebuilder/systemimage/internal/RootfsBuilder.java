package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.apt.internal.AptRootFiles;
import dev.imagebuilder.apt.internal.PpaAptSource;
import dev.imagebuilder.apt.internal.PpaKeySource;
import dev.imagebuilder.apt.internal.PpaUrlTemplate;
import dev.imagebuilder.spi.ProcessRunner;
import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.systemimage.AptSource;
import dev.imagebuilder.systemimage.Customization;
import dev.imagebuilder.systemimage.RootfsCustomizer;
import dev.imagebuilder.systemimage.internal.customize.ChrootAptCustomizer;
import dev.imagebuilder.systemimage.internal.tar.RootfsArchive;
import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Makes the channel's own rootfs: unpacks the remote rootfs tarball, adds the PPAs, lets the
 * customizer install the packages in its {@code system/} directory, and packs the whole tree
 * again as {@code .tar.xz} with the same {@code system/} layout.
 */
final class RootfsBuilder {
  private final PpaKeySource keys;
  private final PpaUrlTemplate ppaUrls;
  private final RootfsCustomizer customizer;
  private final ProcessRunner processes;
  private final int xzPreset;

  RootfsBuilder(PpaKeySource keys, PpaUrlTemplate ppaUrls, RootfsCustomizer customizer,
      ProcessRunner processes, int xzPreset) {
    this.keys = keys;
    this.ppaUrls = ppaUrls;
    this.customizer = customizer;
    this.processes = processes;
    this.xzPreset = xzPreset;
  }

  /**
   * Builds the rootfs from {@code remoteTarball} into {@code output}, using {@code workDir} (which
   * is deleted afterwards).
   */
  void build(Path remoteTarball, Path workDir, Path output, Series series, List<Ppa> ppas,
      List<PackageSpec> packages, String device, Consumer<String> log) throws Exception {
    Path tree = workDir.resolve("tree");
    try {
      boolean root = ChrootAptCustomizer.effectiveUid() == 0;
      RootfsArchive.Unpacked u = RootfsArchive.unpack(remoteTarball, tree, root, log);
      log.accept("unpacked " + u.entries() + " entries (" + u.bytes() + " bytes) of the remote rootfs"
          + (root ? "" : "; not root, so owners were not kept and "
              + u.skippedDevices() + " device nodes were skipped"));
      Path system = tree.resolve("system");
      if (!Files.isDirectory(system, LinkOption.NOFOLLOW_LINKS)) {
        throw new IntegrityException("the remote rootfs tarball has no system/ directory;"
            + " it is not in the system-image layout");
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      List<AptSource> sources = addPpas(system, ppas, series, log);
      log.accept("customizing the rootfs with the '" + customizer.name() + "' customizer: packages "
          + packages);
      customizer.customize(new Customization(system, series, sources, packages, device, processes, log));
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      log.accept("packing the rootfs (xz preset " + xzPreset + ")");
      Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
      try (TarXzWriter out = TarXzWriter.create(tmp, xzPreset)) {
        long n = RootfsArchive.pack(tree, out);
        log.accept("packed " + n + " entries");
      }
      Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      WorkDirectory.deleteTree(tree, log);
    }
  }

  /** Writes each PPA's keyring and deb822 sources file into the rootfs, as the customizer sees them. */
  private List<AptSource> addPpas(Path system, List<Ppa> ppas, Series series, Consumer<String> log)
      throws IOException {
    List<AptSource> sources = new ArrayList<>();
    for (Ppa ppa : ppas) {
      PpaAptSource source = PpaAptSource.of(ppa, series, ppaUrls, keys.keyFor(ppa));
      AptRootFiles.install(system, source);
      log.accept("added " + ppa + " as " + source.sourcesPath() + " (" + source.archive() + ", key "
          + String.join(", ", source.key().fingerprints()) + ")");
      sources.add(new AptSource(ppa, source.archive(), source.suite(), PpaAptSource.COMPONENTS,
          source.sourcesPath(), source.keyringPath()));
    }
    return sources;
  }
}
