package dev.imagebuilder.cli.internal;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How the command reports: the live table, plain lines or JSON ({@code --progress}), the local
 * tools' log lines ({@code --verbose}), build logs ({@code --logs}), and debugging.
 */
final class OutputOptions {
  /** The forms of output; {@code auto} picks the table on a capable terminal, else plain lines. */
  enum Progress { AUTO, TABLE, PLAIN, JSON }

  @Option(names = "--progress", paramLabel = "auto|table|plain|json", defaultValue = "auto",
      description = "How to show the builds: auto (the live table on a terminal, else plain lines), "
          + "table, plain (one line per change) or json (as --json). Default: ${DEFAULT-VALUE}.")
  Progress progress = Progress.AUTO;

  @Option(names = "--json",
      description = "Machine-readable output, schema image-builder/1: one JSON document, or with "
          + "--wait one JSON object per line (events, then a summary). Same as --progress=json.")
  boolean json;

  @Option(names = {"-v", "--verbose"},
      description = "Also show the log lines of the work done here, such as virt-customize's output.")
  boolean verbose;

  @Option(names = "--logs", paramLabel = "DIR",
      description = "Download the build log of every target that has one into DIR at the end.")
  Path logs;

  @Option(names = "--debug", description = "Show stack traces and the library's debug log on stderr.")
  boolean debug;

  @Option(names = "--terminal", hidden = true,
      description = "Draw the live table even when stdout is not a terminal (tests).")
  boolean terminal;

  @Option(names = "--columns", hidden = true, paramLabel = "N",
      description = "The terminal's width for the live table, with --terminal.")
  Integer columns;

  @Option(names = "--lines", hidden = true, paramLabel = "N",
      description = "The terminal's height for the live table, with --terminal.")
  Integer lines;

  /** False for {@code status --offline}: no build log is fetched either. */
  boolean online = true;

  boolean json() {
    return json || progress == Progress.JSON;
  }

  /** The output for a run that waits ({@code streaming}) or returns after submitting. */
  RunOutput create(Invocation invocation, boolean streaming) {
    BuildLogs logs = new BuildLogs(this.logs, online);
    if (json()) {
      return new JsonOutput(invocation.out(), invocation.err(), streaming, verbose || debug, logs);
    }
    boolean table = terminal || progress == Progress.TABLE
        || (progress == Progress.AUTO && invocation.terminal());
    if (table) {
      LiveTerminal live = LiveTerminal.open(invocation, terminal || !invocation.terminal(), columns, lines);
      if (live != null) {
        return new TableOutput(live, verbose || debug, logs);
      }
      // TERM=dumb, or a terminal that cannot move its cursor: plain lines, as in a pipe.
    }
    return new LineOutput(invocation.out(), verbose || debug, logs);
  }
}
