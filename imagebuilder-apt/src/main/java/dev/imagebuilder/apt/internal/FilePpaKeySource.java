package dev.imagebuilder.apt.internal;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One local key file (armored or binary) used for every PPA: for mirrors and tests that cannot
 * reach Launchpad, configured by {@code ppa-key-file}. Every public key in the file is kept: the
 * operator chose this keyring, unlike a keyserver's answer, which is trusted only for the key
 * Launchpad names.
 */
public final class FilePpaKeySource implements PpaKeySource {
  private final Path file;
  private final String field;

  /**
   * @param field the configuration key that names the file, for messages
   */
  public FilePpaKeySource(Path file, String field) {
    this.file = file;
    this.field = field;
  }

  @Override
  public OpenPgpKeyring keyFor(Ppa ppa) {
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException(field, "'" + file + "' does not exist");
    } catch (IOException e) {
      throw new InvalidRequestException(field, "'" + file + "' cannot be read: " + e.getMessage());
    }
    try {
      return OpenPgpKeyring.parse(data, "'" + file + "'");
    } catch (IntegrityException e) {
      // A configured file that is no public key is a configuration mistake, named as such.
      throw new InvalidRequestException(field, e.getMessage());
    }
  }

  @Override
  public String describe() {
    return "key file " + file;
  }
}
