package dev.imagebuilder.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * OAuth credentials the fake Launchpad accepts (the consumer secret is always empty, as on
 * Launchpad). {@link #toString()} does not show the secret.
 */
public record LaunchpadCredentials(String consumerKey, String accessToken, String accessSecret) {
  /**
   * Writes launchpadlib's credentials file (section {@code [1]}, four keys) with mode 0600 where
   * the file system supports POSIX permissions.
   */
  public Path writeTo(Path file) {
    String text = "[1]\nconsumer_key = " + consumerKey + "\nconsumer_secret = \naccess_token = " + accessToken
        + "\naccess_secret = " + accessSecret + "\n\n";
    try {
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException e) {
        // raced with another writer; overwrite below
      }
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write credentials file " + file, e);
    }
  }

  @Override
  public String toString() {
    return "LaunchpadCredentials[consumerKey=" + consumerKey + ", accessToken=" + accessToken + ", accessSecret=***]";
  }
}
