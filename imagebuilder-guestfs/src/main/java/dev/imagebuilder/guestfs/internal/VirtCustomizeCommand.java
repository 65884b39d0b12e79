package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.PackageSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code virt-customize} command line for one build. Operations run in command-line order,
 * so the PPA files are in place before {@code --install} runs apt.
 *
 * @param uploads host file to guest directory, in order
 * @param memoryMb appliance memory, or 0 for libguestfs's default
 * @param cleanApt whether to clean apt's lists and cache as the last operation
 */
record VirtCustomizeCommand(
    String program,
    Path disk,
    OutputFormat format,
    int memoryMb,
    List<Upload> uploads,
    List<PackageSpec> packages,
    boolean cleanApt) {

  /**
   * Run last, so the image is sealed without apt's downloaded lists and packages; the lists
   * directory stays, empty, as apt expects it. Guests without apt are left alone.
   */
  static final String CLEAN_APT = "if command -v apt-get >/dev/null; then apt-get clean;"
      + " rm -rf /var/lib/apt/lists/*; mkdir -p /var/lib/apt/lists/partial; fi";

  /** A host file copied into a guest directory, keeping its name and permissions. */
  record Upload(Path hostFile, String guestDirectory) {}

  VirtCustomizeCommand {
    uploads = List.copyOf(uploads);
    packages = List.copyOf(packages);
    for (Upload u : uploads) {
      // virt-customize splits FILE:DEST at the first colon.
      if (u.hostFile().toString().contains(":")) {
        throw new IllegalArgumentException("a path virt-customize uploads must not contain ':': " + u.hostFile());
      }
    }
  }

  List<String> arguments() {
    List<String> args = new ArrayList<>();
    args.add(program);
    // Never let libguestfs guess the format: a raw image that looks like qcow2 could name a
    // backing file on the host. --format applies to the --add options after it.
    args.add("--format");
    args.add(format.qemuName());
    args.add("--add");
    args.add(disk.toString());
    if (memoryMb > 0) {
      args.add("--memsize");
      args.add(Integer.toString(memoryMb));
    }
    args.add("--network");
    List<String> directories = uploads.stream().map(Upload::guestDirectory).distinct().toList();
    for (String dir : directories) {
      args.add("--mkdir");
      args.add(dir);
    }
    for (Upload u : uploads) {
      args.add("--upload");
      args.add(u.hostFile() + ":" + u.guestDirectory());
    }
    if (!packages.isEmpty()) {
      args.add("--install");
      args.add(packages.stream().map(PackageSpec::toString).collect(Collectors.joining(",")));
    }
    if (cleanApt) {
      args.add("--run-command");
      args.add(CLEAN_APT);
    }
    return List.copyOf(args);
  }

  /** The number of {@code [ time] step} lines virt-customize prints for these operations. */
  int expectedSteps() {
    // "Examining the guest", "Setting a random seed", one per operation, "Finishing off";
    // distributions may add one or two (machine id, SELinux), so this is an estimate.
    int directories = (int) uploads.stream().map(Upload::guestDirectory).distinct().count();
    return 3 + directories + uploads.size() + (packages.isEmpty() ? 0 : 1) + (cleanApt ? 1 : 0);
  }
}
