package dev.imagebuilder.api;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Debian package to install, optionally pinned to a version: {@code hello} or
 * {@code hello=2.10-3}. Names follow Debian policy 5.6.1 (lower-case letters, digits,
 * {@code + - .}, at least two characters, starting with a letter or digit); versions follow
 * policy 5.6.12 ({@code [epoch:]upstream[-revision]}).
 */
public record PackageSpec(String name, String version) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern VERSION =
      Pattern.compile("(\\d+:)?[0-9][A-Za-z0-9.+~-]*(-[A-Za-z0-9+.~]+)?");

  public PackageSpec {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRequestException("package", Checks.quote(name)
          + " is not a Debian package name (lower-case letters, digits, '+', '-', '.';"
          + " at least two characters, starting with a letter or digit)");
    }
    if (version != null && !VERSION.matcher(version).matches()) {
      throw new InvalidRequestException("package", Checks.quote(name + "=" + version)
          + " has no valid Debian version after '='");
    }
  }

  /** Parses {@code name} or {@code name=version}. */
  public static PackageSpec of(String text) {
    if (text == null) {
      throw new InvalidRequestException("package", "must not be null");
    }
    String s = text.strip();
    int eq = s.indexOf('=');
    return eq < 0 ? new PackageSpec(s, null) : new PackageSpec(s.substring(0, eq), s.substring(eq + 1));
  }

  /** The pinned version, when one was given. */
  public Optional<String> pinnedVersion() {
    return Optional.ofNullable(version);
  }

  /** As apt-get takes it on its command line. */
  @Override
  public String toString() {
    return version == null ? name : name + "=" + version;
  }
}
