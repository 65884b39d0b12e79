package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.launchpad.LaunchpadLogin;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code image-builder login}: Launchpad's token flow, ending in a credentials file (0600). */
@Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Get Launchpad credentials (token flow) into a credentials file.",
    description = "Gets Launchpad credentials: asks Launchpad for a request token, prints the page where "
        + "you approve it, waits for your decision, and writes a launchpadlib credentials file "
        + "(mode 0600) that the other commands use. The secrets are never printed.")
final class LoginCommand implements Callable<Integer> {
  @ParentCommand RootCommand root;

  @Option(names = "--launchpad", paramLabel = "production|staging|URL", defaultValue = "production",
      description = "The Launchpad instance (default ${DEFAULT-VALUE}); a URL is its API root.")
  String launchpad;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "Where to write the credentials. Default: "
          + "$${XDG_CONFIG_HOME:-~/.config}/image-builder/launchpad.credentials.")
  Path credentials;

  @Option(names = "--consumer-key", paramLabel = "NAME", defaultValue = "image-builder",
      description = "The application name Launchpad shows you (default ${DEFAULT-VALUE}).")
  String consumerKey;

  @Option(names = "--access-level", paramLabel = "LEVEL",
      description = "Permission to ask for, repeatable (default WRITE_PUBLIC; WRITE_PRIVATE for private recipes).")
  List<String> accessLevels = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15m",
      description = "How long to wait for your approval (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--debug", description = "Show stack traces on errors.")
  boolean debug;

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    if (launchpad.strip().equalsIgnoreCase(Engine.DEMO)) {
      throw new UsageException("--launchpad: the demo needs no login (it brings its own credentials)");
    }
    URI web;
    try {
      web = LaunchpadLogin.webRootFor(Engine.serviceRoot(launchpad));
    } catch (InvalidRequestException e) {
      throw new UsageException("--launchpad: " + RootCommand.detail(e));
    }
    Path file = credentials != null ? credentials : Engine.defaultCredentialsFile(invocation);
    Path parent = file.toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (java.io.IOException e) {
      throw new UsageException("--credentials: cannot create the directory of '" + file + "': " + e.getMessage());
    }
    LaunchpadLogin.Builder b = LaunchpadLogin.builder()
        .webRoot(web)
        .consumerKey(consumerKey)
        .credentialsFile(file)
        .timeout(duration("--timeout", timeout))
        .onAuthorizationUrl(url -> {
          invocation.out().println("Open this page, log in to Launchpad and authorize '" + consumerKey + "':");
          invocation.out().println("  " + url);
          invocation.out().println("Waiting for your decision (up to " + timeout + ")...");
          invocation.out().flush();
        });
    if (!accessLevels.isEmpty()) {
      b.accessLevels(accessLevels);
    }
    Path written = b.build().login();
    invocation.out().println("Credentials written to " + written + " (mode 0600).");
    return ExitCode.OK;
  }

  private static java.time.Duration duration(String option, String text) {
    return Durations.parse(option, text, java.time.Duration.ofDays(1));
  }
}
