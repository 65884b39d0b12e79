package dev.imagebuilder.guestfs.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The default destination: the disk image moved into place as a file on this machine. */
record FileDelivery(Path output) implements ImageDelivery {
  @Override
  public String describe() {
    return "writes the image to " + output;
  }

  @Override
  public Map<String, String> deliver(Path disk, Map<String, String> built, Steps steps) {
    steps.cancellation().check("moving the image into place");
    try {
      Files.move(disk, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the image to " + output + ": " + e.getMessage(), e);
    }
    steps.log("Built " + output);
    return Map.of("path", output.toString());
  }
}
