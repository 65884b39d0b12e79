package dev.imagebuilder.apt.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Test keys made with GnuPG (not with the code under test), and the fingerprints gpg printed for
 * them: {@code test-ppa-key} (armored and binary), {@code other-key}, {@code test-secret-key}.
 */
final class Keys {
  private Keys() {}

  static byte[] bytes(String name) {
    try (InputStream in = Objects.requireNonNull(Keys.class.getResourceAsStream(name), name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8).strip();
  }

  static Path file(String name, Path target) throws IOException {
    return Files.write(target, bytes(name));
  }

  static final String PPA_FINGERPRINT = text("test-ppa-key.fingerprint");
  static final String OTHER_FINGERPRINT = text("other-key.fingerprint");
}
