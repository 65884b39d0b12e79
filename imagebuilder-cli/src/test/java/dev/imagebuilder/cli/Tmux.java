package dev.imagebuilder.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A tmux server of its own (a socket named for this test run, no configuration file) with one
 * window of a chosen size, running one command in a real pseudo-terminal: the screen and the
 * scrollback are read back with {@code capture-pane}, the window resized with
 * {@code resize-window} (the command gets SIGWINCH). Needs tmux (.ci/setup.d/tmux.sh): without
 * it the test is skipped, unless IMAGEBUILDER_SYSTEM_TESTS=required.
 */
final class Tmux implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private final String socket = "image-builder-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

  static void requireTmux() {
    try {
      Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return;
      }
    } catch (IOException e) {
      // not installed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
      fail("tmux is not installed (run .ci/setup.d/tmux.sh)");
    }
    Assumptions.abort("tmux is not installed (run .ci/setup.d/tmux.sh)");
  }

  /** Starts {@code shellCommand} in a window of {@code columns} x {@code rows}; it stays open when done. */
  void start(int columns, int rows, String shellCommand) {
    // The history limit applies to panes made after it is set: set it first, in the same call.
    run("-f", "/dev/null", "start-server", ";", "set-option", "-g", "history-limit", "50000", ";",
        "new-session", "-d", "-s", "main", "-x", String.valueOf(columns), "-y", String.valueOf(rows),
        // bash: after Ctrl-C it goes on to report the status of a command that handled it.
        "exec bash -c '" + (shellCommand + "; echo \"EXIT:$?\"; tmux -L " + socket + " wait-for -S done; exec sleep 3600")
            .replace("'", "'\\''") + "'");
  }

  /** Waits (up to a deadline) until the command has ended. */
  void awaitEnd() {
    run(Duration.ofMinutes(3), "wait-for", "done");
  }

  /** The visible screen, one string per row. */
  List<String> screen() {
    return run("capture-pane", "-p", "-t", "main").lines().toList();
  }

  /** The scrollback and the screen, oldest first, trailing empty rows dropped. */
  List<String> everything() {
    List<String> lines = new ArrayList<>(run("capture-pane", "-p", "-t", "main", "-S", "-", "-E", "-").lines().toList());
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  int historySize() {
    return Integer.parseInt(run("display-message", "-p", "-t", "main", "#{history_size}").strip());
  }

  /** Keys typed into the window, such as {@code C-c}. */
  void sendKeys(String keys) {
    run("send-keys", "-t", "main", keys);
  }

  void resize(int columns, int rows) {
    run("resize-window", "-t", "main", "-x", String.valueOf(columns), "-y", String.valueOf(rows));
  }

  /** Polls the screen until {@code condition} holds (at most a minute); returns that screen. */
  List<String> awaitScreen(String what, Predicate<List<String>> condition) {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    List<String> screen = screen();
    while (!condition.test(screen)) {
      if (Instant.now().isAfter(deadline)) {
        fail("the screen never showed " + what + ":\n" + String.join("\n", screen));
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      screen = screen();
    }
    return screen;
  }

  private String run(String... args) {
    return run(COMMAND_TIMEOUT, args);
  }

  private String run(Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("tmux " + String.join(" ", args) + " did not finish");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        fail("tmux " + String.join(" ", args) + " failed: " + text);
      }
      return text;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      // already gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
