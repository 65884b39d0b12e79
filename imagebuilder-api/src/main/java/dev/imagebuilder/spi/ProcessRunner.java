package dev.imagebuilder.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Runs external programs. Output (stdout and stderr, merged) is streamed line by line to a
 * consumer. The returned future completes with the result on exit status 0; otherwise, or on
 * timeout, with {@link ProcessFailedException} carrying the status and the output's tail.
 * Cancelling the future kills the whole process tree.
 */
public interface ProcessRunner {
  CompletableFuture<Result> run(Spec spec, Consumer<String> outputLines);

  /**
   * A command to run.
   *
   * @param environment variables added to (or, with a {@code null} value, removed from) the
   *     inherited environment
   * @param directory the working directory, or {@code null} for the current one
   * @param timeout how long it may run, or {@code null} for no limit
   */
  record Spec(List<String> command, Map<String, String> environment, Path directory, Duration timeout) {
    public Spec {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("command must not be empty");
      }
      environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(
          new java.util.LinkedHashMap<>(environment));
    }

    public static Spec of(String... command) {
      return new Spec(List.of(command), Map.of(), null, null);
    }

    public Spec withTimeout(Duration newTimeout) {
      return new Spec(command, environment, directory, newTimeout);
    }

    public Spec withEnvironment(Map<String, String> newEnvironment) {
      return new Spec(command, newEnvironment, directory, timeout);
    }

    public Spec withDirectory(Path newDirectory) {
      return new Spec(command, environment, newDirectory, timeout);
    }

    /** The program run, for messages. */
    public String program() {
      return Objects.requireNonNull(command.get(0));
    }
  }

  /** A finished process. */
  record Result(int exitStatus, List<String> outputTail, Duration elapsed) {
    public Result {
      outputTail = List.copyOf(outputTail);
    }
  }
}
