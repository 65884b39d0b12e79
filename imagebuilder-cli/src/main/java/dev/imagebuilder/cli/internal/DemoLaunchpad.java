package dev.imagebuilder.cli.internal;

import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --launchpad demo}: the test kit's fake Launchpad with its demo data, on a loopback port
 * of this process, with a credentials file and catalog in a temporary directory that closing
 * removes. The real Launchpad backend talks to it over HTTP, as it would to Launchpad.
 */
final class DemoLaunchpad implements AutoCloseable {
  private final FakeLaunchpad launchpad;
  private final Path directory;
  private final Path credentials;
  private final Path catalog;

  private DemoLaunchpad(FakeLaunchpad launchpad, Path directory, Path credentials, Path catalog) {
    this.launchpad = launchpad;
    this.directory = directory;
    this.credentials = credentials;
    this.catalog = catalog;
  }

  static DemoLaunchpad start() {
    FakeLaunchpad launchpad = FakeLaunchpad.demo();
    try {
      Path dir = Files.createTempDirectory("image-builder-demo");
      Path credentials = launchpad.writeCredentials(dir.resolve("launchpad-credentials"));
      Path catalog = launchpad.writeCatalog(dir.resolve("launchpad-catalog.json"));
      return new DemoLaunchpad(launchpad, dir, credentials, catalog);
    } catch (IOException | RuntimeException e) {
      launchpad.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** Builder settings pointing the Launchpad backend at the fake, polling fast enough for a demo. */
  Map<String, String> configuration() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("launchpad.service-root", launchpad.serviceRoot().toString());
    config.put("launchpad.credentials-file", credentials.toString());
    config.put("launchpad.catalog", catalog.toString());
    config.putAll(DemoData.clientSettings());
    return config;
  }

  URI serviceRoot() {
    return launchpad.serviceRoot();
  }

  FakeLaunchpad launchpad() {
    return launchpad;
  }

  @Override
  public void close() {
    launchpad.close();
    // A temporary directory left behind is harmless: nothing to report if a file stays.
    WorkDirectory.deleteTree(directory, message -> { });
  }
}
