package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Parses the arguments with picocli, runs the chosen command and turns every way it can end into
 * an exit status and, for errors, one line on stderr (a stack trace only with {@code --debug}).
 */
public final class Cli {
  static final String NAME = "image-builder";
  /**
   * The types whose picocli converters the command does without ({@code picocli.converters.excludes},
   * set by {@code Main}): picocli registers one for each of these by reflection in every command
   * line it builds, which loads and initializes them (the java.time formatters, java.sql), 2 to 3 %
   * of a --help. No option of the command has such a type (CommandTreeTest checks the whole tree).
   */
  public static final String UNUSED_CONVERTERS = "java\\.(sql|time)\\..*";
  /** The narrowest usage help picocli lays out. */
  private static final int MIN_WIDTH = 55;

  private final Invocation invocation;

  public Cli(Invocation invocation) {
    this.invocation = invocation;
  }

  /** Runs the command; returns its exit status. */
  public int run(String[] args) {
    boolean debug = Arrays.asList(args).contains("--debug");
    String joined = " " + String.join(" ", args) + " ";
    boolean json = joined.contains(" --json ") || joined.contains(" --progress=json ")
        || joined.contains(" --progress json ");
    CommandLine cli = commandLine(invocation, Arrays.asList(args));
    ((RootCommand) cli.getCommand()).arguments(Arrays.asList(args));
    Failures failures = new Failures(debug, json);
    cli.setParameterExceptionHandler(failures);
    cli.setExecutionExceptionHandler(failures);
    cli.setExecutionStrategy(new RootOptions(new CommandLine.RunLast()));
    try {
      return cli.execute(args);
    } finally {
      invocation.out().flush();
      invocation.err().flush();
    }
  }

  /**
   * What a usage error and a failed command print. A class rather than two lambdas: picocli is
   * Java 5 bytecode, and Java 17 keeps an old interface out of the class-data-sharing archive once
   * it had to link it for a lambda, and the lambda with it; so each start spun both lambda classes
   * anew (docs/benchmarks.md, "Start-up").
   */
  private final class Failures
      implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {
    private final boolean debug;
    private final boolean json;

    Failures(boolean debug, boolean json) {
      this.debug = debug;
      this.json = json;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
      PrintWriter err = e.getCommandLine().getErr();
      err.println(NAME + ": " + Text.brief(e.getMessage()));
      if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        // picocli's suggestions for a mistyped option or subcommand ("--seris": "--series").
        err.println("Did you mean: " + Text.clean(String.join(" or ", u.getSuggestions())) + "?");
      }
      err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
      err.flush();
      if (debug) {
        e.printStackTrace(invocation.err());
      }
      if (json) {
        jsonError(ExitCode.USAGE, Text.brief(e.getMessage()));
      }
      return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
      return report(e, debug, json);
    }
  }

  /** The whole command model: used at build time for the man page and shell completion. */
  static CommandLine commandLine(Invocation invocation) {
    CommandLine cli = new CommandLine(new RootCommand(invocation));
    CommandTree.addAll(cli);
    return configure(cli, invocation);
  }

  /**
   * The command model for these arguments: the subcommands they do not name are outlines, enough
   * for the usage help (CommandTree), so that start-up does not introspect every command class.
   */
  static CommandLine commandLine(Invocation invocation, List<String> args) {
    CommandLine cli = new CommandLine(new RootCommand(invocation));
    CommandTree.addFor(cli, args);
    return configure(cli, invocation);
  }

  /** The settings of the whole tree: after the subcommands are added, since picocli copies them down. */
  private static CommandLine configure(CommandLine cli, Invocation invocation) {
    cli.setOut(new PrintWriter(invocation.out(), true));
    cli.setErr(new PrintWriter(invocation.err(), true));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // The last value of a repeated single-valued option wins, as in most commands.
    cli.setOverwrittenOptionsAllowed(true);
    Integer columns = columns(invocation.env("COLUMNS"));
    if (columns != null) {
      // The width given, as most commands take it. Without it picocli asks the terminal itself:
      // it starts 'stty -a -F /dev/tty' and checks for its answer every 25 ms, a fifth of the
      // time of a --help in a terminal (bin/image-builder sets COLUMNS for a help there).
      cli.setUsageHelpAutoWidth(false);
      cli.setUsageHelpWidth(Math.max(MIN_WIDTH, columns));
    } else {
      cli.setUsageHelpAutoWidth(true);
    }
    // Colours in the usage help or not, decided once as picocli's AUTO decides (a terminal, NO_COLOR,
    // CLICOLOR...): AUTO itself decides again for every piece of text, reading the environment each
    // time, a twentieth of the start-up of --help.
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(
        CommandLine.Help.Ansi.AUTO.enabled() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
    return cli;
  }

  /** {@code COLUMNS} as a number of columns, or null when unset or not a positive number. */
  static Integer columns(String value) {
    if (value == null || !value.matches("[0-9]{1,4}")) {
      return null;
    }
    int n = Integer.parseInt(value);
    return n > 0 ? n : null;
  }

  /** One line naming what went wrong, and the status it maps to. */
  int report(Throwable e, boolean debug, boolean json) {
    Throwable cause = unwrap(e);
    int status;
    String message;
    if (cause instanceof UsageException || cause instanceof InvalidRequestException) {
      status = ExitCode.USAGE;
      message = cause.getMessage();
    } else if (cause instanceof NoBackendAvailableException) {
      status = ExitCode.USAGE;
      message = cause.getMessage().contains("catalog")
          // The first run: one line that says what to do, not why each of four backends declined.
          ? "no catalog of OCI recipes yet: run '" + NAME + " catalog init' to write "
              + UserDirectories.defaultCatalog(invocation) + ", or give --catalog FILE"
          : cause.getMessage();
    } else if (cause instanceof AuthenticationException || cause instanceof CredentialsException) {
      status = ExitCode.AUTH;
      message = cause.getMessage() + " (run '" + NAME + " login' to get credentials)";
    } else if (cause instanceof ImageBuildException) {
      status = ExitCode.FAILED;
      message = cause.getMessage();
    } else {
      status = ExitCode.FAILED;
      message = "unexpected error: " + cause + (debug ? "" : " (run with --debug for details)");

    }
    message = Text.brief(message);
    invocation.err().println(NAME + ": " + message);
    if (debug) {
      e.printStackTrace(invocation.err());
    }
    invocation.err().flush();
    if (json) {
      jsonError(status, message);
    }
    return status;
  }

  /** With --json, a failure before any output is a document on stdout too: readers always get JSON. */
  private void jsonError(int status, String message) {
    var doc = Json.document("error");
    doc.put("exit_code", status);
    doc.put("message", message);
    invocation.out().println(Json.pretty(doc));
    invocation.out().flush();
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException
            || t instanceof CommandLine.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
