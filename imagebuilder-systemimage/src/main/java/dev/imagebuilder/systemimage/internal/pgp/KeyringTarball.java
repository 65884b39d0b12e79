package dev.imagebuilder.systemimage.internal.pgp;

import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A system-image keyring: a {@code .tar.xz} holding {@code keyring.gpg} (binary public keys) and
 * {@code keyring.json} ({@code type}, optional {@code expiry} as a unix time, optional
 * {@code model}), which the client checks before trusting the keys.
 */
public final class KeyringTarball {
  private KeyringTarball() {}

  public static void write(Path target, String type, byte[] keyringGpg, Instant expiry, String model)
      throws IOException {
    StringBuilder json = new StringBuilder("{\"type\": \"").append(type).append('"');
    if (expiry != null) {
      json.append(", \"expiry\": ").append(expiry.getEpochSecond());
    }
    if (model != null) {
      json.append(", \"model\": \"").append(model).append('"');
    }
    json.append('}');
    Instant now = Instant.now();
    Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".keyring", ".tmp");
    try {
      try (TarXzWriter tar = TarXzWriter.create(tmp, 6)) {
        tar.file("keyring.gpg", keyringGpg, 0644, now);
        tar.file("keyring.json", json.toString().getBytes(StandardCharsets.UTF_8), 0644, now);
      }
      // Published under gpg/ as it is: a temporary file starts as 0600, a rename keeps it.
      AtomicFiles.makePublic(tmp);
      AtomicFiles.move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
