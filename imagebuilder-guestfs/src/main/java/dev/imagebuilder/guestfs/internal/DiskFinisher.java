package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.spi.ProcessFailedException;
import dev.imagebuilder.spi.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The last steps on the work file before it is hashed and delivered: {@code virt-sparsify
 * --in-place} when configured (unused blocks of the file systems discarded), then for qcow2 a
 * compressed rewrite with {@code qemu-img convert -c} (the file an upload or download moves is
 * then a fraction of the virtual size). Each step leaves a complete file or fails the build.
 */
final class DiskFinisher {
  private final FinishSettings finish;
  private final OutputFormat format;
  private final String qemuImg;
  private final Optional<String> backendSettings;
  private final Duration timeout;
  private final ProcessRunner processes;
  private final Cancellation cancellation;
  private final Consumer<String> log;

  DiskFinisher(FinishSettings finish, OutputFormat format, String qemuImg, Optional<String> backendSettings,
      Duration timeout, ProcessRunner processes, Cancellation cancellation, Consumer<String> log) {
    this.finish = finish;
    this.format = format;
    this.qemuImg = qemuImg;
    this.backendSettings = backendSettings;
    this.timeout = timeout;
    this.processes = processes;
    this.cancellation = cancellation;
    this.log = log;
  }

  /** The commands in the order they would run, for plans. */
  static List<String> describe(FinishSettings finish, OutputFormat format) {
    List<String> steps = new ArrayList<>();
    if (finish.cleanApt()) {
      steps.add("apt lists and cache cleaned");
    }
    if (finish.sparsify()) {
      steps.add("virt-sparsify --in-place");
    }
    if (finish.compress() && format == OutputFormat.QCOW2) {
      steps.add("qemu-img convert -c (compressed qcow2)");
    }
    return steps;
  }

  void finish(Path disk) {
    if (finish.sparsify()) {
      cancellation.check("sparsifying the image");
      List<String> command = List.of(finish.virtSparsify(), "--format", format.qemuName(),
          "--in-place", disk.toString());
      log.accept("Running " + String.join(" ", command));
      run(command, backendSettings.map(s -> Map.of("LIBGUESTFS_BACKEND_SETTINGS", s)).orElse(Map.of()),
          "virt-sparsify");
    }
    if (finish.compress() && format == OutputFormat.QCOW2) {
      cancellation.check("compressing the image");
      Path compressed = disk.resolveSibling("compressed-" + disk.getFileName());
      List<String> command = List.of(qemuImg, "convert", "-c", "-f", "qcow2", "-O", "qcow2",
          disk.toString(), compressed.toString());
      log.accept("Compressing: " + String.join(" ", command));
      run(command, Map.of(), "qemu-img convert -c");
      try {
        Files.move(compressed, disk, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot replace " + disk + " with its compressed copy", e);
      }
    }
  }

  private void run(List<String> command, Map<String, String> environment, String what) {
    List<String> out = new ArrayList<>();
    try {
      cancellation.await(processes.run(new ProcessRunner.Spec(command, environment, null, timeout), line -> {
        out.add(line);
        log.accept(line);
      }), "running " + what);
    } catch (ProcessFailedException e) {
      if (e.exitStatus() < 0 && e.outputTail().isEmpty()) {
        throw new ImageBuildException(what + " could not be run: " + e.getMessage()
            + (what.startsWith("virt-sparsify") ? " (it comes with libguestfs-tools)" : ""), e);
      }
      throw new ImageBuildException(what + " failed: " + e.getMessage(), e);
    }
  }
}
