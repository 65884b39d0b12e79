package dev.imagebuilder.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A Debian/Ubuntu architecture tag, as Launchpad's processors and {@code arch_tag} name them. */
public enum Architecture {
  AMD64("amd64"),
  ARM64("arm64"),
  ARMHF("armhf"),
  I386("i386"),
  PPC64EL("ppc64el"),
  S390X("s390x"),
  RISCV64("riscv64");

  private final String tag;

  Architecture(String tag) {
    this.tag = tag;
  }

  /** The tag as Debian and Launchpad spell it ({@code amd64}). */
  public String tag() {
    return tag;
  }

  /**
   * Looks an architecture up by its tag, case-insensitively.
   *
   * @throws InvalidRequestException naming the value and the known tags
   */
  public static Architecture of(String tag) {
    if (tag != null) {
      String wanted = tag.strip().toLowerCase(Locale.ROOT);
      for (Architecture a : values()) {
        if (a.tag.equals(wanted)) {
          return a;
        }
      }
    }
    throw new InvalidRequestException("architecture", Checks.quote(tag)
        + " is not a known architecture (known: "
        + Arrays.stream(values()).map(Architecture::tag).collect(Collectors.joining(", ")) + ")");
  }

  @Override
  public String toString() {
    return tag;
  }
}
