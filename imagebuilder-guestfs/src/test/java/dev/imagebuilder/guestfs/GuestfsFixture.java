package dev.imagebuilder.guestfs;

import dev.imagebuilder.core.ImageBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A directory with the fake tools, a 2 MiB base image and the configuration and environment
 * that point a builder at them, for tests that build through {@link ImageBuilder}.
 */
final class GuestfsFixture implements AutoCloseable {
  final Path dir;
  final FakeTools tools;
  final Path images;
  final Path baseImage;
  final Map<String, String> config = new HashMap<>();
  final Map<String, String> env = new HashMap<>();
  private ImageBuilder builder;

  GuestfsFixture(Path dir, String baseImageName) throws IOException {
    this.dir = dir;
    tools = new FakeTools(Files.createDirectories(dir.resolve("tools")));
    images = Files.createDirectories(dir.resolve("images"));
    baseImage = Files.write(images.resolve(baseImageName), new byte[2 << 20]);
    config.put("guestfs.virt-customize", tools.virtCustomize(FakeTools.SUCCEEDS).toString());
    config.put("guestfs.qemu-img", tools.qemuImg("qcow2").toString());
    config.put("guestfs.output-directory", dir.resolve("out").toString());
  }

  /** A new builder with the configuration and environment as they are now (the last one is closed). */
  ImageBuilder builder() {
    close();
    builder = ImageBuilder.newBuilder().environment(env::get).stateDirectory(dir.resolve("state"))
        .config(config).build();
    return builder;
  }

  @Override
  public void close() {
    if (builder != null) {
      builder.close();
      builder = null;
    }
  }
}
