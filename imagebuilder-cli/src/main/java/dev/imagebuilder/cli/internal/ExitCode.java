package dev.imagebuilder.cli.internal;

/** The command's exit statuses (documented in docs/cli.md). */
public final class ExitCode {
  /** Every target succeeded, or without --wait, every target was submitted. */
  public static final int OK = 0;
  /** A target failed, or tracking a build failed. */
  public static final int FAILED = 1;
  /** Usage or bad input; nothing was submitted. */
  public static final int USAGE = 2;
  /** Credentials missing, unreadable or refused. */
  public static final int AUTH = 3;
  /** The local deadline (--timeout) passed with builds still running; they go on. */
  public static final int DEADLINE = 4;
  /** Interrupted (Ctrl-C); the builds go on. */
  public static final int INTERRUPTED = 130;

  private ExitCode() {}
}
