package dev.imagebuilder.cli.internal;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The state file that resume, cancel and status read. */
final class JournalOptions {
  @Option(names = "--state", required = true, paramLabel = "FILE",
      description = "The state file a previous run wrote (its path is printed at the start and end of the run).")
  Path state;
}
