package dev.imagebuilder.cli.internal;

import java.nio.file.Path;

/**
 * Where the command keeps its files, by the XDG base directory rules: configuration (credentials,
 * the catalog) under {@code $XDG_CONFIG_HOME}, else {@code $HOME/.config}; state files under
 * {@code $XDG_STATE_HOME}, else {@code $HOME/.local/state}. {@code $HOME} is the invocation's
 * environment variable (a relative XDG value is ignored, as the specification says); only
 * without it does the JVM's {@code user.home} count.
 */
final class UserDirectories {
  private UserDirectories() {}

  static Path configHome(Invocation invocation) {
    return base(invocation, "XDG_CONFIG_HOME", ".config");
  }

  static Path stateHome(Invocation invocation) {
    return base(invocation, "XDG_STATE_HOME", ".local/state");
  }

  /** {@code <config home>/image-builder/catalog.json}: where {@code catalog init} writes and runs look. */
  static Path defaultCatalog(Invocation invocation) {
    return configHome(invocation).resolve("image-builder").resolve("catalog.json");
  }

  private static Path base(Invocation invocation, String variable, String underHome) {
    String xdg = invocation.env(variable);
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg);
    }
    String home = invocation.env("HOME");
    Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
    return base.resolve(underHome);
  }
}
