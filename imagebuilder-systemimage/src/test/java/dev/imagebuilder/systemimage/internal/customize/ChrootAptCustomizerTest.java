package dev.imagebuilder.systemimage.internal.customize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.spi.ProcessRunner;
import dev.imagebuilder.systemimage.Customization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChrootAptCustomizerTest {
  @TempDir Path rootfs;
  final List<List<String>> ran = new ArrayList<>();
  final ProcessRunner recording = (spec, lines) -> {
    ran.add(spec.command());
    return CompletableFuture.completedFuture(new ProcessRunner.Result(0, List.of(), Duration.ZERO));
  };

  private Customization customization(List<PackageSpec> packages) {
    return new Customization(rootfs, Series.of("focal"), List.of(), packages, "FP4", recording, l -> {});
  }

  @Test
  void withoutRootItRefusesAndSaysWhatToDoRunningNothing() {
    ChrootAptCustomizer c = new ChrootAptCustomizer(Duration.ofMinutes(1), () -> 1000);
    assertThatThrownBy(() -> c.customize(customization(List.of(PackageSpec.of("hello")))))
        .isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("needs root").hasMessageContaining("uid 1000")
        .hasMessageContaining("customizer=command");
    assertThat(ran).isEmpty();
  }

  @Test
  void mountsRunsAptAndUndoesEverythingEvenWhenAptFails() throws Exception {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.createSymbolicLink(rootfs.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/stub-resolv.conf"));
    ProcessRunner failingInstall = (spec, lines) -> {
      ran.add(spec.command());
      if (spec.command().contains("install")) {
        return CompletableFuture.failedFuture(new dev.imagebuilder.spi.ProcessFailedException(
            "chroot", 100, false, List.of("E: Unable to locate package nope"), null));
      }
      return CompletableFuture.completedFuture(new ProcessRunner.Result(0, List.of(), Duration.ZERO));
    };
    ChrootAptCustomizer c = new ChrootAptCustomizer(Duration.ofMinutes(1), () -> 0);
    Customization failing = new Customization(rootfs, Series.of("focal"), List.of(),
        List.of(PackageSpec.of("nope")), "FP4", failingInstall, l -> {});

    assertThatThrownBy(() -> c.customize(failing)).hasMessageContaining("Unable to locate package");

    String root = rootfs.toRealPath().toString();
    assertThat(ran).containsExactly(
        List.of("mount", "-t", "proc", "proc", root + "/proc"),
        List.of("chroot", root, "apt-get", "update"),
        List.of("chroot", root, "apt-get", "install", "-y", "--no-install-recommends",
            "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "nope"),
        List.of("umount", root + "/proc"));
    assertThat(Files.readSymbolicLink(rootfs.resolve("etc/resolv.conf")))
        .isEqualTo(Path.of("../run/systemd/resolve/stub-resolv.conf"));
    assertThat(rootfs.resolve("usr/sbin/policy-rc.d")).doesNotExist();
    assertThat(rootfs.resolve("etc/resolv.conf.imagebuilder-saved")).doesNotExist();
  }

  @Test
  void unmountsProcEvenWhenRestoringResolvConfFails() throws Exception {
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/resolv.conf"), "nameserver 192.0.2.1\n");
    Path saved = rootfs.resolve("etc/resolv.conf.imagebuilder-saved");
    ProcessRunner packageRemovesTheSavedFile = (spec, lines) -> {
      ran.add(spec.command());
      if (spec.command().contains("install")) {
        try {
          Files.delete(saved); // a maintainer script tidying /etc
        } catch (java.io.IOException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
      return CompletableFuture.completedFuture(new ProcessRunner.Result(0, List.of(), Duration.ZERO));
    };
    ChrootAptCustomizer c = new ChrootAptCustomizer(Duration.ofMinutes(1), () -> 0);

    assertThatThrownBy(() -> c.customize(new Customization(rootfs, Series.of("focal"), List.of(),
        List.of(PackageSpec.of("hello")), "FP4", packageRemovesTheSavedFile, l -> {})))
        .isInstanceOf(java.io.IOException.class);

    String root = rootfs.toRealPath().toString();
    assertThat(ran).last().isEqualTo(List.of("umount", root + "/proc"));
    assertThat(rootfs.resolve("usr/sbin/policy-rc.d")).doesNotExist();
  }
}
