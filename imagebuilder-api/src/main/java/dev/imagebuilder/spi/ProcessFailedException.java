package dev.imagebuilder.spi;

import dev.imagebuilder.api.ImageBuildException;
import java.util.List;

/** An external program exited with a non-zero status, timed out, or could not start. */
public class ProcessFailedException extends ImageBuildException {
  private static final long serialVersionUID = 1L;

  private final String program;
  private final int exitStatus;
  private final boolean timedOut;
  private final List<String> outputTail;

  public ProcessFailedException(
      String program, int exitStatus, boolean timedOut, List<String> outputTail, String detail) {
    super(describe(program, exitStatus, timedOut, outputTail, detail));
    this.program = program;
    this.exitStatus = exitStatus;
    this.timedOut = timedOut;
    this.outputTail = List.copyOf(outputTail);
  }

  public String program() {
    return program;
  }

  /** The exit status, or -1 when the process did not exit by itself. */
  public int exitStatus() {
    return exitStatus;
  }

  public boolean timedOut() {
    return timedOut;
  }

  /** The last lines of output. */
  public List<String> outputTail() {
    return outputTail;
  }

  private static String describe(
      String program, int status, boolean timedOut, List<String> tail, String detail) {
    StringBuilder sb = new StringBuilder(program);
    if (timedOut) {
      sb.append(" timed out");
    } else if (status >= 0) {
      sb.append(" exited with status ").append(status);
    } else {
      sb.append(" failed");
    }
    if (detail != null && !detail.isBlank()) {
      sb.append(": ").append(detail);
    }
    if (!tail.isEmpty()) {
      sb.append("; last output:");
      tail.stream().skip(Math.max(0, tail.size() - 10)).forEach(l -> sb.append("\n  ").append(l));
    }
    return sb.toString();
  }
}
