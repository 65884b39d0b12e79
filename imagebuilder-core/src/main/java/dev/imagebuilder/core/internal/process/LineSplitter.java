package dev.imagebuilder.core.internal.process;

import java.io.IOException;
import java.io.Reader;
import java.util.function.Consumer;

/**
 * Splits program output into lines at {@code \n}, {@code \r\n} and lone {@code \r} (progress
 * bars redraw with {@code \r}, and each redraw is a progress report). A line longer than the
 * limit is passed on in pieces, so a program printing without newlines cannot fill the memory.
 */
final class LineSplitter {
  private final int maxLineChars;

  LineSplitter(int maxLineChars) {
    this.maxLineChars = maxLineChars;
  }

  /** Reads to the end of the input. */
  void split(Reader in, Consumer<String> lines) throws IOException {
    char[] buffer = new char[8192];
    StringBuilder line = new StringBuilder();
    boolean afterCr = false;
    int n;
    while ((n = in.read(buffer)) != -1) {
      for (int i = 0; i < n; i++) {
        char c = buffer[i];
        if (c == '\n') {
          if (!afterCr) {
            emit(line, lines);
          }
          afterCr = false;
        } else if (c == '\r') {
          emit(line, lines);
          afterCr = true;
        } else {
          afterCr = false;
          line.append(c);
          if (line.length() >= maxLineChars) {
            emit(line, lines);
          }
        }
      }
    }
    if (line.length() > 0) {
      emit(line, lines);
    }
  }

  private static void emit(StringBuilder line, Consumer<String> lines) {
    lines.accept(line.toString());
    line.setLength(0);
  }
}
