package dev.imagebuilder.guestfs.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code virt-customize}'s output as it comes: its {@code [   3.2] Installing packages}
 * step lines become progress, and the lines kept explain a failure in words a person can act on.
 */
final class VirtCustomizeOutput {
  private static final Pattern STEP = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)]\\s+(.+)$");
  private static final Pattern MISSING_PACKAGE = Pattern.compile(
      "E: Unable to locate package (\\S+)|E: Package '([^']+)' has no installation candidate");
  private static final int KEPT_LINES = 200;

  private final Deque<String> lines = new ArrayDeque<>();
  private int steps;

  /** A step virt-customize announced: its elapsed seconds and what it does. */
  record Step(int number, double seconds, String text) {}

  /** Keeps {@code line}; returns the step it announces, if it is a step line. */
  synchronized Optional<Step> accept(String line) {
    lines.addLast(line);
    if (lines.size() > KEPT_LINES) {
      lines.removeFirst();
    }
    Matcher m = STEP.matcher(line.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    steps++;
    return Optional.of(new Step(steps, Double.parseDouble(m.group(1)), m.group(2).strip()));
  }

  synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  /**
   * Why virt-customize failed, from its output: what went wrong and what to do about it.
   * The checks run from the most specific cause to the most general, since one cause (a file
   * that is not a qcow2) also makes the appliance fail to start.
   */
  synchronized String diagnose(String imageDescription, boolean kvmMayBeUsed) {
    String all = String.join("\n", lines);
    String lower = all.toLowerCase(Locale.ROOT);
    if (lower.contains("image is not in qcow2 format") || lower.contains("could not open '")
        || lower.contains("image format was not specified") || lower.contains("not in a supported format")) {
      return "the base image " + imageDescription + " is not a disk image libguestfs can open ("
          + firstLineContaining("format", "could not open").orElse("qemu refused it") + ")";
    }
    if (lower.contains("no operating systems were found")) {
      return "the base image " + imageDescription + " holds no operating system virt-customize can"
          + " find (is it a disk image of an installed system?)";
    }
    if (lower.contains("multiple operating systems") || lower.contains("dual- or multi-boot")) {
      return "the base image " + imageDescription + " holds several operating systems;"
          + " virt-customize customizes single-OS images only";
    }
    if (lower.contains("failed to find a suitable kernel") || lower.contains("supermin: failed")
        || lower.contains("cannot find any suitable libguestfs supermin")) {
      return "the libguestfs appliance cannot be built: no kernel for it (install the Debian package"
          + " linux-image-amd64, or set SUPERMIN_KERNEL); "
          + lastError().orElse("supermin failed");
    }
    if (isKvmFailure(lower)) {
      return "the libguestfs appliance could not start under KVM ("
          + firstLineContaining("msr", "kvm").orElse("KVM error")
          + "); set imagebuilder.guestfs.backend-settings=force_tcg"
          + " (LIBGUESTFS_BACKEND_SETTINGS=force_tcg) to run it without KVM";
    }
    if (lower.contains("guestfs_launch failed") || lower.contains("appliance closed the connection")
        || lower.contains("child process died unexpectedly")) {
      // Without LIBGUESTFS_DEBUG=1 virt-customize prints no cause, and the commonest one is
      // KVM: on some hosts qemu aborts under it ("failed to set MSR") while TCG works.
      String kvm = kvmMayBeUsed
          ? " KVM is available here (/dev/kvm) and the appliance aborts under it on some hosts:"
              + " set imagebuilder.guestfs.backend-settings=force_tcg"
              + " (LIBGUESTFS_BACKEND_SETTINGS=force_tcg) to run it without KVM."
          : "";
      return "the libguestfs appliance could not start (" + lastError().orElse("guestfs_launch failed")
          + ")." + kvm + " Run libguestfs-test-tool, or set LIBGUESTFS_DEBUG=1, to see the cause.";
    }
    Matcher missing = MISSING_PACKAGE.matcher(all);
    if (missing.find()) {
      return "apt in the image cannot find package '"
          + (missing.group(1) != null ? missing.group(1) : missing.group(2))
          + "' (is it in the series' archive or one of the PPAs?)";
    }
    if (lower.contains("no_pubkey") || lower.contains("is not signed")) {
      return "apt in the image rejected a repository's signature (check the PPA's signing key): "
          + firstLineContaining("no_pubkey", "is not signed").orElse("");
    }
    return lastError().orElse(lines.isEmpty() ? "no output" : lines.peekLast());
  }

  private static boolean isKvmFailure(String lower) {
    return lower.contains("failed to set msr") || lower.contains("could not access kvm kernel module")
        || lower.contains("failed to initialize kvm") || lower.contains("kvm_create_vm")
        || lower.contains("kvm run failed") || lower.contains("error: kvm");
  }

  private Optional<String> lastError() {
    List<String> copy = new ArrayList<>(lines);
    for (int i = copy.size() - 1; i >= 0; i--) {
      String l = copy.get(i).strip();
      if (l.startsWith("virt-customize: error:") || l.startsWith("libguestfs: error:")) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  private Optional<String> firstLineContaining(String... needles) {
    for (String l : lines) {
      String lower = l.toLowerCase(Locale.ROOT);
      for (String n : needles) {
        if (lower.contains(n)) {
          return Optional.of(l.strip());
        }
      }
    }
    return Optional.empty();
  }
}
