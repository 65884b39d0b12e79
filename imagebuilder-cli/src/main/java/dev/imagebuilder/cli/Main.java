package dev.imagebuilder.cli;

import dev.imagebuilder.cli.internal.Cli;
import dev.imagebuilder.cli.internal.Invocation;
import dev.imagebuilder.core.internal.http.ClientThreads;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code image-builder} command. {@link #main} runs it and exits with its status;
 * {@link #run} runs it in-process, for embedding and tests, and returns the status instead.
 *
 * <p>Exit statuses: 0 all succeeded (or, without {@code --wait}, all submitted); 1 a target
 * failed; 2 usage or bad input; 3 credentials or authorization; 4 the local deadline passed with
 * builds still running; 130 interrupted. See {@code docs/cli.md}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    boolean debug = Arrays.asList(args).contains("--debug");
    // Library logging goes to stderr, warnings only, unless --debug; set before any logger exists.
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", debug ? "true" : "false");
    setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "true");
    if (!debug) {
      // The command reports builds it stops following (--timeout, Ctrl-C) in its own words.
      setIfAbsent("org.slf4j.simpleLogger.log.dev.imagebuilder.core.internal.DefaultBuildHandle", "error");
    }
    // picocli looks for Groovy (Class.forName("groovy.lang.Closure")) when it first builds a
    // command, and that search of the class path opens the 15,000-entry jar: a few milliseconds,
    // 3 % of a --help, whose classes all come from the class-data-sharing archive and need no jar.
    // The commands are Java classes; no Groovy closure is ever an option's value here.
    setIfAbsent("picocli.disable.closures", "true");
    // And picocli's converters for java.time and java.sql types, which no option has: picocli
    // would register them by reflection, initializing those classes (see Cli.UNUSED_CONVERTERS).
    setIfAbsent("picocli.converters.excludes", Cli.UNUSED_CONVERTERS);
    Invocation invocation = new Invocation(
        System.out, System.err, System.console() != null, System::getenv, true);
    int status = new Cli(invocation).run(args);
    System.out.flush();
    System.err.flush();
    // Java waits up to 300 ms at exit for threads in native code, and a JDK HTTP client's selector
    // thread waits there until the client is collected. The builder's own client is stopped when
    // it closes; login, catalog search and build logs have clients of their own.
    ClientThreads.stopAll(100);
    System.exit(status);
  }

  /**
   * Runs the command in this process: no terminal (plain or JSON output), no signal handling,
   * environment from this process. Returns the exit status.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return new Cli(new Invocation(out, err, false, System::getenv, false)).run(args);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
