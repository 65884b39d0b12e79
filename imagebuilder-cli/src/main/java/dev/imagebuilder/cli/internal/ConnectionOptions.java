package dev.imagebuilder.cli.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the builds go: the Launchpad instance, credentials, catalog, polling and raw settings. */
final class ConnectionOptions {
  @Option(names = "--launchpad", paramLabel = "production|staging|URL|demo",
      description = "Launchpad instance: production (default), staging, an API root URL, or "
          + "demo (a fake Launchpad in this process with demo data; builds finish in seconds).")
  String launchpad;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "launchpadlib credentials file (from '" + Cli.NAME + " login'). Default: "
          + "$${XDG_CONFIG_HOME:-~/.config}/image-builder/launchpad.credentials when it exists.")
  Path credentials;

  @Option(names = "--catalog", paramLabel = "FILE",
      description = "JSON catalog mapping image -> series -> OCI recipe (Launchpad cannot list recipes).")
  Path catalog;

  @Option(names = "--poll-interval", paramLabel = "DURATION",
      description = "How often Launchpad is polled (such as 10s, 1m, PT30S).")
  String pollInterval;

  @Option(names = "--config", paramLabel = "KEY=VALUE",
      description = "Any library setting, such as launchpad.upload-retry-backoff=2m or "
          + "http.allow-insecure=true (repeatable; wins over system properties and environment).")
  Map<String, String> config = new LinkedHashMap<>();

  /** The same options, as recorded in a state journal (paths and names only, never secrets). */
  Settings settings() {
    if (pollInterval != null) {
      Durations.parse("--poll-interval", pollInterval, Duration.ofDays(1));
    }
    return new Settings(
        launchpad,
        credentials == null ? null : credentials.toAbsolutePath().normalize().toString(),
        catalog == null ? null : catalog.toAbsolutePath().normalize().toString(),
        pollInterval);
  }
}
