package dev.imagebuilder.launchpad.internal.client;

import dev.imagebuilder.api.InvalidRequestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * launchpadlib's credentials file: an INI file with one section {@code [1]} holding
 * {@code consumer_key}, {@code consumer_secret} (empty), {@code access_token} and
 * {@code access_secret}. Errors name the file and the key, never a value.
 */
public final class CredentialsFile {
  static final String SECTION = "1";

  private CredentialsFile() {}

  /**
   * Reads a credentials file.
   *
   * @param field the configuration key named in errors
   */
  public static Credentials read(String field, Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InvalidRequestException(field, "credentials file '" + file + "' does not exist");
    } catch (IOException e) {
      throw new InvalidRequestException(field,
          "credentials file '" + file + "' cannot be read: " + e.getClass().getSimpleName());
    }
    Map<String, Map<String, String>> sections = parse(lines);
    Map<String, String> one = sections.get(SECTION);
    if (one == null) {
      throw new InvalidRequestException(field, "credentials file '" + file
          + "' has no [1] section (expected launchpadlib's format: [1] with consumer_key,"
          + " consumer_secret, access_token, access_secret)");
    }
    return new Credentials(
        key(field, file, one, "consumer_key"),
        key(field, file, one, "access_token"),
        key(field, file, one, "access_secret"));
  }

  /** Writes a credentials file readable by launchpadlib, with mode 0600 from its creation on. */
  public static void write(Path file, Credentials credentials) throws IOException {
    String text = "[" + SECTION + "]\n"
        + "consumer_key = " + credentials.consumerKey() + "\n"
        + "consumer_secret = \n"
        + "access_token = " + credentials.accessToken() + "\n"
        + "access_secret = " + credentials.accessSecret() + "\n\n";
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("temporary file " + tmp + " appeared while writing credentials", e);
    }
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String key(String field, Path file, Map<String, String> section, String key) {
    String value = section.get(key);
    if (value == null || value.isEmpty()) {
      throw new InvalidRequestException(field, "credentials file '" + file
          + "' has no " + key + " in section [1]");
    }
    return value;
  }

  /** Python configparser's basics: sections, {@code key = value} or {@code key: value}, comments. */
  static Map<String, Map<String, String>> parse(List<String> lines) {
    Map<String, Map<String, String>> sections = new HashMap<>();
    Map<String, String> current = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current = sections.computeIfAbsent(line.substring(1, line.length() - 1).strip(), k -> new HashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      int colon = line.indexOf(':');
      int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
      if (sep <= 0 || current == null) {
        continue;
      }
      current.put(line.substring(0, sep).strip().toLowerCase(java.util.Locale.ROOT), line.substring(sep + 1).strip());
    }
    return sections;
  }
}
