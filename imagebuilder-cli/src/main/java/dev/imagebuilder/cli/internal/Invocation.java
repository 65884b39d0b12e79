package dev.imagebuilder.cli.internal;

import java.io.PrintStream;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where one run of the command talks to: its streams, whether stdout is a terminal, its
 * environment, and whether it owns the process (and so may install a shutdown hook for Ctrl-C).
 */
public record Invocation(
    PrintStream out,
    PrintStream err,
    boolean terminal,
    Function<String, String> environment,
    boolean ownsProcess) {

  public Invocation {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(environment, "environment");
  }

  String env(String name) {
    return environment.apply(name);
  }
}
