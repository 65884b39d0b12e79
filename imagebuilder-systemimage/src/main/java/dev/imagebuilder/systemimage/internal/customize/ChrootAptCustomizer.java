package dev.imagebuilder.systemimage.internal.customize;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.spi.ProcessRunner;
import dev.imagebuilder.systemimage.Customization;
import dev.imagebuilder.systemimage.RootfsCustomizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Installs the packages with {@code apt-get} in a chroot of the rootfs. Needs root (chroot and
 * mount do). For the time of the run it mounts {@code /proc}, puts the host's
 * {@code resolv.conf} in place (keeping the rootfs's own, which is often a symlink, to restore)
 * and a {@code policy-rc.d} that stops packages from starting services; all three are undone in
 * {@code finally}, whatever happened.
 */
public final class ChrootAptCustomizer implements RootfsCustomizer {
  private static final String SAVED_SUFFIX = ".imagebuilder-saved";
  private final Duration timeout;
  private final java.util.function.IntSupplier uid;

  public ChrootAptCustomizer(Duration timeout) {
    this(timeout, ChrootAptCustomizer::effectiveUid);
  }

  /** With the uid check replaceable, so the not-root path can be tested as root. */
  ChrootAptCustomizer(Duration timeout, java.util.function.IntSupplier uid) {
    this.timeout = timeout;
    this.uid = uid;
  }

  @Override
  public String name() {
    return "chroot";
  }

  /** The effective uid of this process: the owner of {@code /proc/self}. */
  public static int effectiveUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }

  @Override
  public void customize(Customization c) throws Exception {
    if (c.packages().isEmpty()) {
      c.log().accept("no packages to install; the rootfs keeps its packages (PPAs are added)");
      return;
    }
    int uid = this.uid.getAsInt();
    if (uid != 0) {
      throw new ImageBuildException("the chroot customizer needs root (chroot, mount) but this"
          + " process runs as uid " + uid + "; run the build as root, or set"
          + " imagebuilder.systemimage.customizer=command with a customizer-command of your own");
    }
    Path root = c.rootfs().toRealPath();
    Path proc = root.resolve("proc");
    Path resolv = root.resolve("etc/resolv.conf");
    Path policy = root.resolve("usr/sbin/policy-rc.d");
    for (Path p : List.of(proc, root.resolve("etc"), root.resolve("usr/sbin"))) {
      if (Files.isSymbolicLink(p)) {
        throw new ImageBuildException("/" + root.relativize(p) + " in the rootfs is a symlink;"
            + " refusing to mount or write through it");
      }
    }
    Files.createDirectories(proc);
    boolean mounted = false;
    boolean resolvSaved = false;
    boolean policyWritten = false;
    try {
      c.run(spec("mount", "-t", "proc", "proc", proc.toString()));
      mounted = true;
      resolvSaved = replace(resolv, Files.readAllBytes(Path.of("/etc/resolv.conf")), 0644);
      policyWritten = !Files.exists(policy, LinkOption.NOFOLLOW_LINKS);
      if (policyWritten) {
        Files.createDirectories(policy.getParent());
        Files.writeString(policy, "#!/bin/sh\n# written by imagebuilder while installing packages\nexit 101\n");
        Files.setAttribute(policy, "unix:mode", 0755);
      }
      c.run(chroot(root, "apt-get", "update"));
      List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y",
          "--no-install-recommends", "-o", "Dpkg::Options::=--force-confdef",
          "-o", "Dpkg::Options::=--force-confold"));
      for (PackageSpec p : c.packages()) {
        install.add(p.toString());
      }
      c.run(chroot(root, install.toArray(String[]::new)));
      c.run(chroot(root, "apt-get", "clean"));
    } finally {
      // Each undo runs even when an earlier one throws: a failed restore must never leave the
      // host's /proc mounted in the tree.
      try {
        try {
          if (policyWritten) {
            Files.deleteIfExists(policy);
          }
        } finally {
          if (resolvSaved) {
            restore(resolv);
          }
        }
      } finally {
        if (mounted) {
          unmount(c, proc);
        }
      }
    }
  }

  private void unmount(Customization c, Path proc) {
    boolean interrupted = Thread.interrupted(); // unmount even when the build was cancelled
    try {
      try {
        c.run(spec("umount", proc.toString()));
      } catch (RuntimeException e) {
        c.log().accept("umount " + proc + " failed (" + e.getMessage() + "); detaching it lazily");
        c.run(spec("umount", "-l", proc.toString()));
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Puts content at path, moving what was there (file or symlink) aside; true if moved. */
  private static boolean replace(Path path, byte[] content, int mode) throws IOException {
    Path saved = path.resolveSibling(path.getFileName() + SAVED_SUFFIX);
    boolean existed = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    Files.deleteIfExists(saved);
    if (existed) {
      Files.move(path, saved);
    } else {
      Files.createFile(saved); // marks that nothing was there
      Files.setAttribute(saved, "unix:mode", 0);
    }
    Files.write(path, content);
    Files.setAttribute(path, "unix:mode", mode);
    return true;
  }

  private static void restore(Path path) throws IOException {
    Path saved = path.resolveSibling(path.getFileName() + SAVED_SUFFIX);
    Files.deleteIfExists(path);
    boolean placeholder = !Files.isSymbolicLink(saved) && Files.size(saved) == 0
        && ((Integer) Files.getAttribute(saved, "unix:mode") & 07777) == 0;
    if (placeholder) {
      Files.delete(saved);
    } else {
      Files.move(saved, path);
    }
  }

  private ProcessRunner.Spec chroot(Path root, String... command) {
    List<String> cmd = new ArrayList<>(List.of("chroot", root.toString()));
    cmd.addAll(List.of(command));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DEBIAN_FRONTEND", "noninteractive");
    env.put("LC_ALL", "C");
    env.put("LANG", "C");
    env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    return new ProcessRunner.Spec(cmd, env, null, timeout);
  }

  private ProcessRunner.Spec spec(String... command) {
    return new ProcessRunner.Spec(List.of(command), Map.of(), null, Duration.ofMinutes(2));
  }
}
