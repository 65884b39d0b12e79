package dev.imagebuilder.systemimage;

import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.spi.ProcessRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * What a {@link RootfsCustomizer} is asked to do.
 *
 * @param rootfs the unpacked root filesystem (the tarball's {@code system/} directory)
 * @param series the request's series
 * @param sources the PPAs, already written into the rootfs
 * @param packages the packages to install
 * @param device the device this rootfs is built for first (rootfs are shared between devices
 *     with the same remote rootfs)
 * @param processes the core's process runner
 * @param log receives lines for the build's log events
 */
public record Customization(
    Path rootfs,
    Series series,
    List<AptSource> sources,
    List<PackageSpec> packages,
    String device,
    ProcessRunner processes,
    Consumer<String> log) {
  public Customization {
    Objects.requireNonNull(rootfs, "rootfs");
    Objects.requireNonNull(series, "series");
    sources = List.copyOf(sources);
    packages = List.copyOf(packages);
    Objects.requireNonNull(processes, "processes");
    Objects.requireNonNull(log, "log");
  }

  /**
   * Runs a program to its end, its output going to {@link #log()}. If the calling thread is
   * interrupted (the build was cancelled), the process tree is killed.
   *
   * @throws dev.imagebuilder.spi.ProcessFailedException on a non-zero exit or timeout
   */
  public ProcessRunner.Result run(ProcessRunner.Spec spec) {
    CompletableFuture<ProcessRunner.Result> f = processes.run(spec, log);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new BuildCancelledException("-", spec.program() + " was killed: the build was cancelled");
    } catch (CancellationException e) {
      throw new BuildCancelledException("-", spec.program() + " was cancelled");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new ImageBuildException(spec.program() + " failed: " + c, c);
    }
  }
}
