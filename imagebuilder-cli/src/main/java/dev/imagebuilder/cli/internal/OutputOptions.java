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

  @Option(names = "--lines", hidden = true, paramLabel = "N",
      description = "The terminal's height for the live table (default: LINES, else stty, else 24).")
  Integer lines;

  /** The output for a run that waits ({@code streaming}) or returns after submitting. */
  RunOutput create(Invocation invocation, boolean streaming) {
    if (json) {
      return new JsonOutput(invocation.out(), invocation.err(), streaming);
    }
    if (terminal || invocation.terminal()) {
      String noColor = invocation.env("NO_COLOR");
      return new TableOutput(invocation.out(), noColor == null || noColor.isEmpty(),
          TerminalSize.detect(invocation, columns, lines));
    }
    return new LineOutput(invocation.out());
  }
}
