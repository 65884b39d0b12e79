package dev.imagebuilder.cli.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Option;

/** How long to follow builds, and where their journal goes. */
final class FollowOptions {
  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "Stop waiting after this long (such as 90s, 30m, 2h). The builds go on; "
          + "resume them from the state file. Exit status 4.")
  String timeout;

  @Option(names = "--state", paramLabel = "FILE",
      description = "The state journal: every build's ticket, rewritten atomically as builds are "
          + "submitted and change. Default: $${XDG_STATE_HOME:-~/.local/state}/image-builder/run-<time>.json.")
  Path state;

  Duration timeout() {
    if (timeout == null) {
      return null;
    }
    return Durations.parse("--timeout", timeout, Durations.MAX);
  }

  Path stateFile(Invocation invocation) {
    if (state != null) {
      return state;
    }
    // The formatter is made here, not at class load: every command's model loads this class,
    // --help too, and compiling the pattern was a fiftieth of its start-up.
    DateTimeFormatter stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    return stateHome(invocation).resolve("image-builder").resolve("run-" + stamp.format(java.time.Instant.now())
        + "-" + Integer.toHexString(new java.security.SecureRandom().nextInt(0x10000) | 0x10000).substring(1) + ".json");
  }

  /** {@code $XDG_STATE_HOME}, else {@code $HOME/.local/state}. */
  static Path stateHome(Invocation invocation) {
    return UserDirectories.stateHome(invocation);
  }

  static String resumeCommand(Path stateFile) {
    return Cli.NAME + " resume --state " + stateFile.toAbsolutePath().normalize();
  }

  /** The resume command, or why there is none: a demo's builds die with its fake Launchpad. */
  static String resumeCommand(Path stateFile, Settings settings) {
    return Settings.isDemo(settings)
        ? "nothing: the demo's fake Launchpad stopped with this command (run the demo again)"
        : resumeCommand(stateFile);
  }
}
