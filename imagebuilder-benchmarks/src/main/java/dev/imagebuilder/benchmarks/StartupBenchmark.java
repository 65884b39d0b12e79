package dev.imagebuilder.benchmarks;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time of the {@code image-builder} command, several launchers side by side in one run: each
 * round runs every command with every launcher in turn (rotating the order, so that load from
 * other processes falls on all alike), and the report gives best and median per launcher and
 * command, and each launcher's ratio to the first, for wall time and for CPU time (user +
 * system, measured by {@code /usr/bin/time}; less disturbed by other processes on a busy machine).
 *
 * <p>Arguments: {@code runs=N} (default 10), then one {@code name=command} per launcher, the
 * command split at spaces, for example {@code before=/tmp/old/bin/image-builder
 * after=bin/image-builder}. The commands timed are {@code --help} (out of and in a terminal: the
 * latter through {@code script(1)}, 80 columns), {@code --version} and
 * {@code --launchpad demo --dry-run}; their output is discarded, and a failing command stops the
 * benchmark. See docs/benchmarks.md.
 */
public final class StartupBenchmark {
  /** One command timed: its arguments, and whether it runs in a terminal (80 x 24, by script(1)). */
  private record Command(List<String> args, boolean terminal) {
    String label() {
      return String.join(" ", args) + (terminal ? " (terminal)" : "");
    }

    List<String> line(List<String> launcher) {
      List<String> line = new ArrayList<>(launcher);
      line.addAll(args);
      if (!terminal) {
        return line;
      }
      // A pseudo-terminal of 80 columns, as a person's: script(1) from util-linux.
      String shell = "stty cols 80 rows 24; exec " + String.join(" ", line);
      return List.of("script", "-qec", shell, "/dev/null");
    }
  }

  private static final List<Command> COMMANDS = List.of(
      new Command(List.of("--help"), false),
      new Command(List.of("--help"), true),
      new Command(List.of("--version"), false),
      new Command(List.of("--launchpad", "demo", "--dry-run"), false));

  /** GNU time, for the CPU time of each run (Debian package {@code time}). */
  private static final String TIME = "/usr/bin/time";

  private StartupBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = 10;
    Map<String, List<String>> launchers = new LinkedHashMap<>();
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv[0].equals("runs")) {
        runs = Integer.parseInt(kv[1]);
      } else if (kv.length == 2 && !kv[1].isBlank()) {
        launchers.put(kv[0], Arrays.asList(kv[1].trim().split(" +")));
      } else {
        throw new IllegalArgumentException("'" + arg + "' is not runs=N or name=command");
      }
    }
    if (launchers.isEmpty()) {
      throw new IllegalArgumentException("name at least one launcher: name=command");
    }
    System.out.printf("%d processors, load average %s%n",
        Runtime.getRuntime().availableProcessors(), Runs.loadAverage());
    List<String> names = new ArrayList<>(launchers.keySet());
    Map<String, List<Double>> times = new LinkedHashMap<>();
    Map<String, List<Double>> cpuTimes = new LinkedHashMap<>();
    for (int round = 0; round < runs; round++) {
      for (int c = 0; c < COMMANDS.size(); c++) {
        for (int k = 0; k < names.size(); k++) {
          String name = names.get((round + k) % names.size());
          List<String> command = COMMANDS.get(c).line(launchers.get(name));
          double[] cpu = new double[1];
          double ms = timed(command, cpu);
          times.computeIfAbsent(key(name, c), x -> new ArrayList<>()).add(ms);
          cpuTimes.computeIfAbsent(key(name, c), x -> new ArrayList<>()).add(cpu[0]);
        }
      }
    }
    report("wall time, ms, " + runs + " runs", names, times);
    report("CPU time (user + system), ms", names, cpuTimes);
    System.out.printf("load average at the end: %s%n", Runs.loadAverage());
  }

  private static void report(String title, List<String> names, Map<String, List<Double>> times) {
    System.out.printf("%n%-46s %8s %8s %13s%n", title, "best", "median", "median ratio");
    for (int c = 0; c < COMMANDS.size(); c++) {
      double reference = Runs.median(times.get(key(names.get(0), c)));
      for (String name : names) {
        List<Double> t = times.get(key(name, c));
        System.out.printf("%-46s %8.0f %8.0f %12.2fx%n",
            name + ": " + COMMANDS.get(c).label(), Runs.lowest(t), Runs.median(t),
            Runs.median(t) / reference);
      }
    }
  }

  private static String key(String name, int command) {
    return name + "\u0000" + command;
  }

  /** Wall time in ms; {@code cpu[0]} gets user + system CPU time in ms, from /usr/bin/time. */
  private static double timed(List<String> command, double[] cpu) throws Exception {
    Path times = Files.createTempFile("startup-bench", ".time");
    List<String> wrapped = new ArrayList<>(List.of(TIME, "-f", "%U %S", "-o", times.toString()));
    wrapped.addAll(command);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(wrapped)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    int status = p.waitFor();
    double ms = (System.nanoTime() - t0) / 1e6;
    if (status != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + status);
    }
    String[] userSystem = Files.readString(times).trim().split("\\s+");
    Files.delete(times);
    cpu[0] = (Double.parseDouble(userSystem[0]) + Double.parseDouble(userSystem[1])) * 1000;
    return ms;
  }
}
