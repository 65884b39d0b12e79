package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.apt.internal.OpenPgpKeyring;
import dev.imagebuilder.apt.internal.PpaAptSource;
import dev.imagebuilder.apt.internal.PpaKeySource;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import dev.imagebuilder.spi.ProcessFailedException;
import dev.imagebuilder.spi.ProcessRunner;
import dev.imagebuilder.spi.WorkDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cloud image build: fetch and verify the base image, copy it to a work file, add the PPAs
 * (deb822 sources and their keys) and install the packages with {@code virt-customize}, then move
 * the result into place and report its path, size and sha256. Runs on the core's worker pool;
 * cancelling kills whatever step is running.
 */
final class CloudImageBuild implements BuildJob {
  private static final Logger LOG = LoggerFactory.getLogger(CloudImageBuild.class);

  /** The work directory beside the output: a half-built image is never taken for the output. */
  static final String WORK_PREFIX = ".imagebuilder-work-";
  // Shares of the target's progress: downloading is often the longest step on a slow network,
  // customizing the longest on a fast one; hashing the result is quick.
  private static final double DOWNLOADED = 0.25;
  private static final double CUSTOMIZED = 0.95;
  private static final java.time.Duration CLEANUP_WAIT = java.time.Duration.ofSeconds(30);

  private final CloudImageRequest request;
  private final BuildContext context;
  private final GuestfsSettings settings;
  private final BaseImageStore store;
  private final PpaKeySource keys;
  private final ProcessRunner processes;
  private final TargetStatus initial;
  private final Path output;
  private final ImageDelivery delivery;
  private final FinishSettings finish;
  private final Cancellation cancellation = new Cancellation();
  private volatile Runnable onFinished = () -> { };
  private volatile TargetStatus current;
  private volatile boolean started;
  private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

  CloudImageBuild(CloudImageRequest request, BuildContext context, GuestfsSettings settings,
      BaseImageStore store, PpaKeySource keys, ProcessRunner processes, TargetStatus initial, Path output,
      ImageDelivery delivery, FinishSettings finish) {
    this.request = request;
    this.context = context;
    this.settings = settings;
    this.store = store;
    this.keys = keys;
    this.processes = processes;
    this.initial = initial;
    this.output = output;
    this.delivery = delivery;
    this.finish = finish;
    this.current = initial;
  }

  void start() {
    context.declareTargets(List.of(initial));
    context.execute(this::run);
  }

  /** Runs {@code action} once the build's task has ended and its work files are gone. */
  void whenFinished(Runnable action) {
    onFinished = action;
  }

  private void run() {
    started = true;
    try {
      runSteps();
    } finally {
      finished.countDown();
      onFinished.run();
    }
  }

  private void runSteps() {
    WorkDirectory work = null;
    TargetStatus end;
    try {
      cancellation.check("starting");
      report(current.withState(TargetState.BUILDING, "fetching base image"));
      BaseImage base = store.fetch(request.image(), cancellation, this::log,
          (bytes, total) -> progress(total > 0 ? DOWNLOADED * bytes / total : -1,
              "Downloading base image: " + bytes + (total > 0 ? " of " + total : "") + " bytes"));
      progress(DOWNLOADED, "Base image ready (sha256 " + base.sha256() + ")");
      DiskImageInfo info = inspect(base);
      List<PpaAptSource> sources = new ArrayList<>();
      for (Ppa ppa : request.ppas()) {
        cancellation.check("fetching the signing key of " + ppa);
        OpenPgpKeyring key = keys.keyFor(ppa);
        log("Signing key of " + ppa.reference() + ": " + String.join(", ", key.fingerprints())
            + " (" + keys.describe() + ")");
        sources.add(PpaAptSource.of(ppa, request.series(), settings.ppa().urlTemplate(), key));
      }
      // A build killed mid-way (kill -9, power cut) left its work directory: the next build here
      // removes those whose process is gone.
      WorkDirectory.sweep(output.getParent(), WORK_PREFIX, this::log);
      work = WorkDirectory.create(output.getParent(), WORK_PREFIX, this::log);
      Path disk = work.path().resolve("disk" + settings.outputFormat().extension());
      copy(base, info, disk);
      report(current.withState(TargetState.BUILDING, "customizing"));
      customize(disk, stage(work.path(), sources));
      new DiskFinisher(finish, settings.outputFormat(), requireQemuImg(), settings.backendSettings(),
          settings.timeout(), processes, cancellation, this::log).finish(disk);
      progress(CUSTOMIZED, "Computing the image's sha256");
      Map<String, String> built = outputs(base, Sha256.of(disk), Files.size(disk));
      built.putAll(delivery.deliver(disk, built, deliverySteps()));
      progress(1.0, "Done: " + delivery.describe());
      end = current.withState(TargetState.SUCCEEDED, "built").withOutputs(built);
    } catch (CancelledWorkException e) {
      end = current.withState(TargetState.CANCELLED, "cancelled");
    } catch (IOException e) {
      end = failed("I/O error: " + e.getMessage(), e);
    } catch (UncheckedIOException | ImageBuildException e) {
      end = failed(e.getMessage(), e);
    } catch (RuntimeException e) {
      end = failed(e.toString(), e);
    } finally {
      if (work != null) {
        work.close();
      }
    }
    // Reported only once the work files are gone: a finished target leaves nothing behind.
    report(end);
  }

  private DiskImageInfo inspect(BaseImage base) {
    String qemuImg = requireQemuImg();
    List<String> out = new ArrayList<>();
    ProcessRunner.Spec spec = new ProcessRunner.Spec(
        List.of(qemuImg, "info", "--output=json", base.path().toString()), Map.of(), null,
        java.time.Duration.ofMinutes(2));
    try {
      cancellation.await(processes.run(spec, out::add), "inspecting the base image");
    } catch (ProcessFailedException e) {
      throw new ImageBuildException("the base image " + request.image()
          + " is not a disk image qemu-img can read: " + String.join(" ", e.outputTail()).strip(), e);
    }
    DiskImageInfo info;
    try {
      info = DiskImageInfo.parse(out.stream().collect(Collectors.joining("\n")));
    } catch (IllegalArgumentException e) {
      throw new ImageBuildException("the base image " + request.image() + " could not be inspected: "
          + e.getMessage(), e);
    }
    if (info.backingFile().isPresent()) {
      // A backing file is a path on *this* host: following it would read arbitrary host files.
      throw new ImageBuildException("the base image " + request.image() + " is a " + info.format()
          + " overlay with backing file '" + info.backingFile().get()
          + "'; give a self-contained image (qemu-img convert flattens it)");
    }
    if ("raw".equals(info.format()) && base.size() < DiskImageInfo.SMALLEST_DISK) {
      throw new ImageBuildException("the base image " + request.image()
          + " is not a disk image: qemu-img sees only " + base.size()
          + " bytes of raw data (an error page instead of the image?)");
    }
    log("Base image: " + info.format() + ", virtual size " + info.virtualSize() + " bytes");
    return info;
  }

  /** Copies with qemu-img so the copy stays sparse and is converted to the output format. */
  private void copy(BaseImage base, DiskImageInfo info, Path disk) {
    List<String> command = List.of(requireQemuImg(), "convert", "-f", info.format(),
        "-O", settings.outputFormat().qemuName(), base.path().toString(), disk.toString());
    log("Copying the base image to a " + settings.outputFormat().qemuName() + " work file");
    List<String> out = new ArrayList<>();
    try {
      cancellation.await(processes.run(new ProcessRunner.Spec(command, Map.of(), null, settings.timeout()),
          out::add), "copying the base image");
    } catch (ProcessFailedException e) {
      throw new ImageBuildException("copying the base image failed: " + e.getMessage(), e);
    }
  }

  /** Writes each PPA's sources file and keyring where virt-customize uploads them from. */
  private List<VirtCustomizeCommand.Upload> stage(Path work, List<PpaAptSource> sources) throws IOException {
    Path staging = Files.createDirectory(work.resolve("upload"));
    List<VirtCustomizeCommand.Upload> keyrings = new ArrayList<>();
    List<VirtCustomizeCommand.Upload> lists = new ArrayList<>();
    for (PpaAptSource s : sources) {
      Path dir = Files.createDirectory(staging.resolve(Integer.toString(keyrings.size())));
      Path keyring = dir.resolve(s.keyringFileName());
      Files.write(keyring, s.key().packets());
      Path list = dir.resolve(s.sourcesFileName());
      Files.writeString(list, s.deb822());
      // virt-customize keeps host permissions; apt's sandbox user must read both files.
      Files.setPosixFilePermissions(keyring, PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(list, PosixFilePermissions.fromString("rw-r--r--"));
      keyrings.add(new VirtCustomizeCommand.Upload(keyring, PpaAptSource.KEYRINGS_DIRECTORY));
      lists.add(new VirtCustomizeCommand.Upload(list, PpaAptSource.SOURCES_DIRECTORY));
    }
    // Keys first: a sources file must never be in place without the key it names.
    List<VirtCustomizeCommand.Upload> all = new ArrayList<>(keyrings);
    all.addAll(lists);
    return all;
  }

  private void customize(Path disk, List<VirtCustomizeCommand.Upload> uploads) {
    VirtCustomizeCommand command = new VirtCustomizeCommand(settings.virtCustomize(), disk,
        settings.outputFormat(), settings.memoryMb(), uploads, request.packages(), finish.cleanApt());
    Map<String, String> environment = new LinkedHashMap<>();
    settings.backendSettings().ifPresent(s -> environment.put("LIBGUESTFS_BACKEND_SETTINGS", s));
    ProcessRunner.Spec spec = new ProcessRunner.Spec(command.arguments(), environment, null, settings.timeout());
    VirtCustomizeOutput output = new VirtCustomizeOutput();
    int expected = Math.max(1, command.expectedSteps());
    log("Running " + String.join(" ", command.arguments()));
    try {
      cancellation.await(processes.run(spec, line -> {
        context.log(current.key(), line);
        output.accept(line).ifPresent(step -> progress(
            DOWNLOADED + (CUSTOMIZED - DOWNLOADED) * Math.min(0.99, (double) (step.number() - 1) / expected),
            step.text()));
      }), "running virt-customize");
    } catch (ProcessFailedException e) {
      if (e.timedOut()) {
        throw new ImageBuildException("virt-customize timed out after " + settings.timeout()
            + " (imagebuilder.guestfs.timeout) and was killed with its appliance; "
            + "last step: " + lastStep(output), e);
      }
      if (e.exitStatus() < 0 && e.outputTail().isEmpty()) {
        throw new ImageBuildException("virt-customize could not be run: " + e.getMessage(), e);
      }
      throw new ImageBuildException("virt-customize failed: "
          + output.diagnose(request.image().toString(), kvmMayBeUsed()), e);
    }
  }

  /** True unless TCG was forced, in the configuration or the environment libguestfs inherits. */
  private boolean kvmMayBeUsed() {
    String inherited = System.getenv("LIBGUESTFS_BACKEND_SETTINGS");
    String settingsText = settings.backendSettings().orElse(inherited == null ? "" : inherited);
    return Files.exists(Path.of("/dev/kvm")) && !settingsText.contains("force_tcg");
  }

  private static String lastStep(VirtCustomizeOutput output) {
    List<String> lines = output.lines();
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (lines.get(i).strip().startsWith("[")) {
        return lines.get(i).strip();
      }
    }
    return "none";
  }

  private String requireQemuImg() {
    return Executables.find(settings.qemuImg()).map(Path::toString).orElseThrow(() ->
        new ImageBuildException("qemu-img was not found ('" + settings.qemuImg()
            + "'); install the Debian package qemu-utils (it comes with libguestfs-tools)"));
  }

  private Map<String, String> outputs(BaseImage base, String sha256, long size) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("size", Long.toString(size));
    out.put("sha256", sha256);
    out.put("format", settings.outputFormat().qemuName());
    out.put("base-image", base.source().toString());
    out.put("base-sha256", base.sha256());
    out.put("base-checksum-source", base.checksumSource());
    out.put("base-signature", base.signature());
    out.put("ppas", request.ppas().stream().map(Ppa::reference).collect(Collectors.joining(",")));
    out.put("packages", request.packages().stream().map(PackageSpec::toString).collect(Collectors.joining(",")));
    return out;
  }

  /** The delivery's view of this build: its log, its share of the progress, its raw state. */
  private ImageDelivery.Steps deliverySteps() {
    return new ImageDelivery.Steps() {
      @Override
      public void log(String line) {
        CloudImageBuild.this.log(line);
      }

      @Override
      public void progress(double fraction, String message) {
        CloudImageBuild.this.progress(
            fraction < 0 ? -1 : CUSTOMIZED + (1 - CUSTOMIZED) * Math.min(1, fraction), message);
      }

      @Override
      public void stage(String rawState) {
        report(current.withState(TargetState.BUILDING, rawState));
      }

      @Override
      public Cancellation cancellation() {
        return cancellation;
      }
    };
  }

  private TargetStatus failed(String summary, Exception e) {
    LOG.debug("cloud image build {} failed", context.buildId(), e);
    log("Failed: " + summary);
    return current.withState(TargetState.FAILED_TO_BUILD, "failed").withError(summary);
  }

  private void report(TargetStatus status) {
    current = status;
    context.update(status);
  }

  private void progress(double fraction, String message) {
    context.progress(current.key(), fraction, message);
  }

  private void log(String line) {
    LOG.debug("{}: {}", context.buildId(), line);
    context.log(current.key(), line);
  }

  @Override
  public void cancel() {
    cancellation.cancel();
    if (!started && !current.state().isTerminal()) {
      // Never ran: no step will notice the cancellation, so say it here.
      report(current.withState(TargetState.CANCELLED, "cancelled"));
      return;
    }
    // The runner kills the process tree at once; wait for the work copy to be removed too, so
    // that a completed cancel leaves nothing behind.
    try {
      if (!finished.await(CLEANUP_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        LOG.warn("build {}: still cleaning up {} after cancel", context.buildId(), CLEANUP_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public Map<String, Object> state() {
    return GuestfsBackend.stateOf(current);
  }
}
