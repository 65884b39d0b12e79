package dev.imagebuilder.cli.internal;

import java.io.IOException;
import java.util.Locale;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.Signals;

/**
 * The terminal the live table is drawn on, through JLine: its size (and resizes, by SIGWINCH),
 * the cursor movements its terminfo entry names, its colour depth, and whether it shows OSC 8
 * hyperlinks. A terminal that cannot move its cursor up or clear (TERM=dumb) gets no table.
 */
final class LiveTerminal implements AutoCloseable {
  private final Terminal terminal;
  private final boolean color;
  private final boolean hyperlinks;
  private final Object winch;
  private volatile Runnable onResize = () -> { };

  private LiveTerminal(Terminal terminal, boolean color, boolean hyperlinks, boolean system) {
    this.terminal = terminal;
    this.color = color;
    this.hyperlinks = hyperlinks;
    // SIGWINCH only. JLine's own signal handling would take over SIGINT too (even with SIG_DFL
    // it puts back the system's default, which kills the JVM without its shutdown hooks): Ctrl-C
    // would then leave no journal write and no summary.
    this.winch = system ? Signals.register("WINCH", () -> onResize.run()) : null;
  }

  /**
   * The terminal of this process ({@code external} false), or a terminal drawn on the
   * invocation's stdout ({@code --terminal}, for tests); null when it cannot redraw in place.
   */
  static LiveTerminal open(Invocation invocation, boolean external, Integer columns, Integer lines) {
    String type = invocation.env("TERM");
    if (type != null && (type.isBlank() || type.toLowerCase(Locale.ROOT).startsWith("dumb"))) {
      return null;
    }
    Terminal terminal;
    try {
      if (external) {
        // A terminal on our stdout, with no input and no pty of its own (--terminal, tests).
        terminal = new org.jline.terminal.impl.LineDisciplineTerminal("image-builder",
            type == null ? "xterm-256color" : type, new java.io.FilterOutputStream(invocation.out()) {
              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
              }

              @Override
              public void close() throws IOException {
                flush(); // the invocation's stream outlives this terminal
              }
            }, java.nio.charset.StandardCharsets.UTF_8);
        terminal.setSize(new Size(columns == null ? 80 : columns, lines == null ? 24 : lines));
      } else {
        terminal = TerminalBuilder.builder()
            .system(true)
            .dumb(true) // no system terminal: a dumb one, refused below, and no warning logged
            // No signal is JLine's: Ctrl-C keeps the JVM's handling (shutdown hooks write the
            // journal and the summary); SIGWINCH is registered on its own below.
            .nativeSignals(false)
            .signalHandler(Terminal.SignalHandler.SIG_DFL)
            .build();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (terminal.getType().startsWith(Terminal.TYPE_DUMB)
        || terminal.getStringCapability(Capability.cursor_up) == null
        || terminal.getStringCapability(Capability.clr_eos) == null
        || terminal.getStringCapability(Capability.clr_eol) == null) {
      close(terminal);
      return null;
    }
    String noColor = invocation.env("NO_COLOR");
    boolean color = (noColor == null || noColor.isEmpty())
        && terminal.getNumericCapability(Capability.max_colors) != null
        && terminal.getNumericCapability(Capability.max_colors) >= 8;
    return new LiveTerminal(terminal, color, hyperlinks(invocation), !external);
  }

  /**
   * Whether the terminal shows OSC 8 links: those known to (iTerm2, WezTerm, VS Code, kitty,
   * Windows Terminal, VTE 0.50+ such as GNOME Terminal), or FORCE_HYPERLINK=1; FORCE_HYPERLINK=0
   * turns them off. Others would print the escape's text, so they get plain URLs.
   */
  static boolean hyperlinks(Invocation invocation) {
    String force = invocation.env("FORCE_HYPERLINK");
    if (force != null && !force.isBlank()) {
      return !force.strip().equals("0");
    }
    String program = invocation.env("TERM_PROGRAM");
    if (program != null && (program.equals("iTerm.app") || program.equals("WezTerm") || program.equals("vscode"))) {
      return true;
    }
    if (invocation.env("KITTY_WINDOW_ID") != null || invocation.env("WT_SESSION") != null) {
      return true;
    }
    String vte = invocation.env("VTE_VERSION");
    try {
      return vte != null && Integer.parseInt(vte.strip()) >= 5000;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Runs on every resize (SIGWINCH), on JLine's signal thread. */
  void onResize(Runnable action) {
    this.onResize = action;
  }

  /** The size now; never smaller than a usable minimum. */
  Size size() {
    Size s = terminal.getSize();
    int columns = s.getColumns() <= 0 ? 80 : s.getColumns();
    int rows = s.getRows() <= 0 ? 24 : s.getRows();
    return new Size(Math.max(20, columns), Math.max(6, rows));
  }

  boolean color() {
    return color;
  }

  boolean hyperlinks() {
    return hyperlinks;
  }

  Terminal terminal() {
    return terminal;
  }

  /** Text as is. */
  void print(String text) {
    terminal.writer().print(text);
  }

  /** Moves the cursor to the start of the line {@code lines} above. */
  void up(int lines) {
    terminal.puts(Capability.carriage_return);
    if (lines > 0) {
      if (terminal.getStringCapability(Capability.parm_up_cursor) != null) {
        terminal.puts(Capability.parm_up_cursor, lines);
      } else {
        for (int i = 0; i < lines; i++) {
          terminal.puts(Capability.cursor_up);
        }
      }
    }
  }

  void clearToEndOfLine() {
    terminal.puts(Capability.clr_eol);
  }

  void clearToEndOfScreen() {
    terminal.puts(Capability.clr_eos);
  }

  void flush() {
    terminal.flush();
  }

  @Override
  public void close() {
    onResize = () -> { };
    if (winch != null) {
      Signals.unregister("WINCH", winch);
    }
    flush();
    close(terminal);
  }

  private static void close(Terminal terminal) {
    try {
      terminal.close();
    } catch (IOException e) {
      // nothing left to draw
    }
  }
}
