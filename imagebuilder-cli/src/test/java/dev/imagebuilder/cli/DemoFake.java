package dev.imagebuilder.cli;

import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The test kit's fake Launchpad with the demo recipes (the first upload of redis 22.04 arm64
 * fails), and the options that point the command at it: its service root, credentials and
 * catalog written to {@code dir}, polled every 100 ms.
 */
final class DemoFake implements AutoCloseable {
  final FakeLaunchpad launchpad;
  private final Path dir;

  DemoFake(Path dir, Duration phase) {
    this.dir = dir;
    this.launchpad = FakeLaunchpad.builder().realTime(phase).start();
    DemoData.install(launchpad);
  }

  List<String> connection() {
    return List.of("--launchpad", launchpad.serviceRoot().toString(),
        "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
        "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
        "--poll-interval", "100ms");
  }

  /** The POSTs the fake received: anything that could create work. */
  long posts() {
    return launchpad.requests().stream().filter(c -> c.method().equals("POST")).count();
  }

  @Override
  public void close() {
    launchpad.close();
  }
}
