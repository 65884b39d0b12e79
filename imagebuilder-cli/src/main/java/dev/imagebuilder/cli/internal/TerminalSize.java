package dev.imagebuilder.cli.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The terminal's size, so the live table never wraps a line nor grows taller than the screen
 * (either would make redrawing in place miscount the lines to go back over): COLUMNS and LINES
 * when exported, else what {@code stty} says of the controlling terminal, else 80 x 24.
 */
record TerminalSize(int columns, int lines) {
  static final TerminalSize DEFAULT = new TerminalSize(80, 24);

  TerminalSize {
    columns = Math.max(20, columns);
    lines = Math.max(6, lines);
  }

  static TerminalSize detect(Invocation invocation, Integer columns, Integer lines) {
    TerminalSize tty = columns != null && lines != null ? DEFAULT : stty().orElse(DEFAULT);
    return new TerminalSize(
        columns != null ? columns : number(invocation.env("COLUMNS"), tty.columns()),
        lines != null ? lines : number(invocation.env("LINES"), tty.lines()));
  }

  private static int number(String text, int otherwise) {
    try {
      return text == null || text.isBlank() ? otherwise : Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static java.util.Optional<TerminalSize> stty() {
    try {
      Process p = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
        String[] parts = out.split("\\s+");
        if (parts.length == 2) {
          return java.util.Optional.of(new TerminalSize(Integer.parseInt(parts[1]), Integer.parseInt(parts[0])));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no terminal to ask
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return java.util.Optional.empty();
  }
}
