package dev.imagebuilder.cli.internal;

import picocli.CommandLine.Option;

/** How the command reports: JSON, debugging, and (hidden, for tests) forcing the terminal table. */
final class OutputOptions {
  @Option(names = "--json",
      description = "Machine-readable output, schema image-builder/1: one JSON document, or with "
          + "--wait one JSON object per line (events, then a summary).")
  boolean json;

  @Option(names = "--debug", description = "Show stack traces and the library's debug log on stderr.")
  boolean debug;

  @Option(names = "--terminal", hidden = true,
      description = "Draw the live table even when stdout is not a terminal.")
  boolean terminal;

  @Option(names = "--columns", hidden = true, paramLabel = "N",
      description = "The terminal's width for the live table (default: COLUMNS, else stty, else 80).")
  Integer columns;

  /** The output for a run that waits ({@code streaming}) or returns after submitting. */
  RunOutput create(Invocation invocation, boolean streaming) {
    if (json) {
      return new JsonOutput(invocation.out(), invocation.err(), streaming);
    }
    if (terminal || invocation.terminal()) {
      String noColor = invocation.env("NO_COLOR");
      return new TableOutput(invocation.out(), noColor == null || noColor.isEmpty(),
          columns != null ? Math.max(20, columns) : columns(invocation));
    }
    return new LineOutput(invocation.out());
  }

  /**
   * The terminal's width: COLUMNS when exported, else what {@code stty} says of the controlling
   * terminal, else 80. Lines longer than this would wrap and spoil redrawing in place.
   */
  private static int columns(Invocation invocation) {
    String c = invocation.env("COLUMNS");
    try {
      if (c != null && !c.isBlank()) {
        return Math.max(20, Integer.parseInt(c.strip()));
      }
    } catch (NumberFormatException e) {
      // ask the terminal
    }
    try {
      Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
      if (p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0) {
        String[] parts = out.split("\\s+");
        if (parts.length == 2) {
          return Math.max(20, Integer.parseInt(parts[1]));
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // no terminal to ask
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 80;
  }
}
