package dev.imagebuilder.cli.internal;

import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code image-builder fakes}: the test kit's fake servers with demo data, until interrupted. */
@Command(name = "fakes", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Serve the fake Launchpad with demo data on loopback.",
    description = "Serves the test kit's fake servers on loopback with demo data (a fake Launchpad with the "
        + "demo images, series and architectures; a fake system-image server with a signed channel) "
        + "and prints their URLs, a matching credentials file and catalog, the signing key, and the "
        + "command that builds against them; until interrupted (Ctrl-C).")
final class FakesCommand implements Callable<Integer> {
  @ParentCommand RootCommand root;

  @Option(names = "--launchpad-port", paramLabel = "N", defaultValue = "0",
      description = "The fake Launchpad's port (default 0: a free port).")
  int launchpadPort;

  @Option(names = "--system-image-port", paramLabel = "N", defaultValue = "0",
      description = "The fake system-image server's port (default 0: a free port).")
  int systemImagePort;

  @Option(names = "--registry", paramLabel = "URL",
      description = "The registry the fake's push rules point at, where build uploads are pushed "
          + "(default: an in-process fake registry).")
  String registry;

  @Option(names = "--output", paramLabel = "DIR",
      description = "Where the credentials file and catalog are written (default: a new temporary "
          + "directory, removed when the command ends).")
  Path output;

  @Override
  public Integer call() throws IOException {
    Invocation invocation = root.invocation();
    for (int port : new int[] {launchpadPort, systemImagePort}) {
      if (port < 0 || port > 65535) {
        throw new UsageException("port '" + port + "' is out of range (0 to 65535)");
      }
    }
    Path dir = output != null ? output : Files.createTempDirectory("image-builder-fakes");
    List<String> args = new ArrayList<>(List.of(
        "--launchpad-port", "" + launchpadPort,
        "--system-image-port", "" + systemImagePort,
        "--output", dir.toString()));
    if (registry != null) {
      args.add("--registry");
      args.add(registry);
    }
    FakeServers servers;
    try {
      servers = FakeServers.start(args.toArray(String[]::new), invocation.out());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    } catch (java.io.UncheckedIOException e) {
      throw new UsageException("cannot start the fake servers: " + e.getCause().getMessage());
    }
    invocation.out().println();
    invocation.out().println("Build against them:");
    // Paced to the demo's builds of seconds: the defaults (a 30 s poll, 5 minutes before an upload
    // retry) would make the command take minutes against a build that is over in 12 s.
    invocation.out().println("  " + Cli.NAME + " --launchpad " + servers.launchpad().serviceRoot()
        + " --credentials " + dir.resolve("launchpad-credentials")
        + " --catalog " + dir.resolve("launchpad-catalog.json")
        + pacing() + " --wait --auto-retry-uploads");
    invocation.out().println("Serving until interrupted (Ctrl-C).");
    invocation.out().flush();
    // In the shutdown hook on Ctrl-C (Java halts when the hooks end), else when the command returns.
    Runnable stop = () -> stop(servers, output == null ? dir : null);
    try {
      return ServeUntilInterrupted.await(invocation, "image-builder-fakes-stop", stop);
    } finally {
      stop.run();
    }
  }

  /**
   * Closes the servers, then deletes {@code madeDirectory} (the temporary directory this command
   * made for the credentials, catalog and keyring), if any: a directory given with --output is the
   * user's. Both may run twice (hook, then return): the second time finds nothing to do.
   */
  private static void stop(FakeServers servers, Path madeDirectory) {
    try {
      servers.close();
    } finally {
      if (madeDirectory != null) {
        WorkDirectory.deleteTree(madeDirectory, message -> { });
      }
    }
  }

  /** The demo's client settings as {@code --config} options. */
  private static String pacing() {
    StringBuilder options = new StringBuilder();
    DemoData.clientSettings().forEach((key, value) -> options.append(" --config ").append(key).append('=').append(value));
    return options.toString();
  }
}
