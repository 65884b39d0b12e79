package dev.imagebuilder.systemimage.internal.customize;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One configured key file ({@code systemimage.ppa-key-file}) that signs every PPA. */
public final class FilePpaKeySource implements PpaKeySource {
  private final String field;
  private final Path file;

  public FilePpaKeySource(String field, Path file) {
    this.field = field;
    this.file = file;
  }

  @Override
  public byte[] armoredKey(Ppa ppa) {
    try {
      byte[] key = Files.readAllBytes(file);
      if (!new String(key, StandardCharsets.US_ASCII).contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
        throw new InvalidRequestException(field, file + " is not an armoured OpenPGP public key");
      }
      return key;
    } catch (IOException e) {
      throw new InvalidRequestException(field, "cannot read " + file + ": " + e.getMessage());
    }
  }
}
