package dev.imagebuilder.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Serves the fake servers on loopback ports with demo data until interrupted (Ctrl-C):
 * {@link FakeLaunchpad} in real time with {@link DemoData}, and, once that helper lands, the
 * fake system-image server.
 *
 * <pre>
 * java -cp ... dev.imagebuilder.testkit.FakeServers [--launchpad-port N] [--system-image-port N] [--registry URL] [--output DIR]
 * </pre>
 *
 * <ul>
 *   <li>{@code --launchpad-port N}: the fake Launchpad's port (default 0: a free port);
 *   <li>{@code --system-image-port N}: the fake system-image server's port (default 0);
 *   <li>{@code --registry URL}: the registry the demo push rules point at, where uploads are
 *       pushed (default: an in-process {@link FakeRegistry});
 *   <li>{@code --output DIR}: where {@code launchpad-credentials} (launchpadlib format, mode 0600)
 *       and {@code launchpad-catalog.json} are written (default: a new temporary directory).
 * </ul>
 *
 * <p>It prints the service root, web root, file paths and the {@code image-builder}
 * configuration that points at them (and paces a client to the demo's builds of seconds), one
 * {@code key: value} per line, then blocks.
 */
public final class FakeServers implements AutoCloseable {
  private final FakeLaunchpad launchpad;
  private final List<AutoCloseable> others = new ArrayList<>();
  private final Path credentials;
  private final Path catalog;

  private FakeServers(Options options, PrintStream out) throws IOException {
    Files.createDirectories(options.output);
    this.launchpad = FakeLaunchpad.demo(options.launchpadPort, options.registry);
    this.credentials = launchpad.writeCredentials(options.output.resolve("launchpad-credentials"));
    this.catalog = launchpad.writeCatalog(options.output.resolve("launchpad-catalog.json"));
    out.println("launchpad.service-root: " + launchpad.serviceRoot());
    out.println("launchpad.web-root: " + launchpad.webRoot());
    out.println("launchpad.credentials-file: " + credentials);
    out.println("launchpad.catalog: " + catalog);
    out.println("launchpad.consumer-key: " + launchpad.credentials().consumerKey());
    out.println("launchpad.access-token: " + launchpad.credentials().accessToken());
    out.println("launchpad.access-secret: (in " + credentials + ")");
    DemoData.clientSettings().forEach((key, value) -> out.println(key + ": " + value));
    out.println("registry: " + launchpad.registryUri());
    startSystemImage(options, out);
  }

  /**
   * Starts the fake system-image server on {@code options.systemImagePort} and prints its
   * addresses. Left for the system-image helper: it registers what it starts with
   * {@link #others} so {@link #close()} stops it.
   */
  private void startSystemImage(Options options, PrintStream out) throws IOException {
    FakeSystemImageServer systemImage = FakeSystemImageServer.demo(options.systemImagePort);
    others.add(systemImage);
    // The key that signs the fake's channels.json, indexes and payloads, for systemimage.keyring.
    Path signingKey = options.output.resolve("system-image-signing.asc");
    Files.writeString(signingKey, systemImage.signingPublicKey());
    out.println("system-image.server: " + systemImage.baseUri());
    out.println("system-image.channel: " + systemImage.channel());
    out.println("system-image.devices: " + String.join(",", systemImage.devices()));
    out.println("systemimage.keyring: " + signingKey);
  }

  public FakeLaunchpad launchpad() {
    return launchpad;
  }

  @Override
  public void close() {
    for (AutoCloseable other : others) {
      try {
        other.close();
      } catch (Exception e) {
        // closing the rest matters more
      }
    }
    launchpad.close();
  }

  /** Parsed command-line options. */
  static final class Options {
    int launchpadPort;
    int systemImagePort;
    Path output;
    java.net.URI registry;

    static Options parse(String[] args) throws IOException {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--launchpad-port" -> o.launchpadPort = port(a, value(args, ++i, a));
          case "--system-image-port" -> o.systemImagePort = port(a, value(args, ++i, a));
          case "--output" -> o.output = Path.of(value(args, ++i, a));
          case "--registry" -> o.registry = registry(value(args, ++i, a));
          case "-h", "--help" -> throw new IllegalArgumentException("usage");
          default -> throw new IllegalArgumentException("unknown option: " + a);
        }
      }
      if (o.output == null) {
        o.output = Files.createTempDirectory("imagebuilder-fakes");
      }
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static java.net.URI registry(String value) {
      try {
        java.net.URI u = java.net.URI.create(value);
        if (u.getScheme() == null || !u.getScheme().startsWith("http") || u.getHost() == null) {
          throw new IllegalArgumentException();
        }
        return u;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--registry: not an http(s) URL: " + value);
      }
    }

    private static int port(String option, String value) {
      try {
        int port = Integer.parseInt(value);
        if (port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
        return port;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + ": not a port number (0-65535): " + value);
      }
    }
  }

  /** Starts the servers as {@link #main} does, without blocking (for tests and the CLI). */
  public static FakeServers start(String[] args, PrintStream out) {
    try {
      return new FakeServers(Options.parse(args), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) throws InterruptedException {
    FakeServers servers;
    try {
      servers = start(args, System.out);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().equals("usage")) {
        System.err.println("fake-servers: " + e.getMessage());
      }
      System.err.println("usage: FakeServers [--launchpad-port N] [--system-image-port N] [--output DIR]");
      System.exit(e.getMessage().equals("usage") ? 0 : 2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      servers.close();
      stopped.countDown();
    }, "fake-servers-shutdown"));
    System.out.println("serving; press Ctrl-C to stop");
    System.out.flush();
    stopped.await();
  }
}
