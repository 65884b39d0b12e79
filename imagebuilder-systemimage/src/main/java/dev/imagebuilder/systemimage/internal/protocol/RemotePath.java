package dev.imagebuilder.systemimage.internal.protocol;

import dev.imagebuilder.api.IntegrityException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A path inside a system-image tree, as {@code channels.json} and {@code index.json} give them
 * ({@code /pool/device-<sha>.tar.xz}). A remote server controls these strings and we write files
 * under the same relative paths, so anything that could climb out of the tree, alias another
 * file or hide in an encoding is refused before use.
 */
public record RemotePath(String value) {
  // Percent signs, backslashes, spaces and controls are all refused: none occur in real trees
  // and each is a way to make the string mean something other than it says.
  private static final Pattern ALLOWED = Pattern.compile("/[A-Za-z0-9._+~@=,:/-]*");
  private static final int MAX_LENGTH = 1024;

  public RemotePath {
    check("path", value);
  }

  /**
   * Validates a path found in a remote document.
   *
   * @param field where it was found, for the message (such as {@code images[0].files[1].path})
   */
  public static RemotePath of(String field, String value) {
    check(field, value);
    return new RemotePath(value);
  }

  private static void check(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new IntegrityException(field + ": a remote path is missing");
    }
    String quoted = quote(value);
    if (value.length() > MAX_LENGTH) {
      throw new IntegrityException(field + ": remote path " + quoted + " is longer than "
          + MAX_LENGTH + " characters");
    }
    if (!value.startsWith("/")) {
      throw new IntegrityException(field + ": remote path " + quoted
          + " is not absolute within the tree (it must start with '/')");
    }
    if (!ALLOWED.matcher(value).matches()) {
      throw new IntegrityException(field + ": remote path " + quoted
          + " has characters a system-image path may not have");
    }
    for (String segment : value.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IntegrityException(field + ": remote path " + quoted
            + " has an empty, '.' or '..' segment and could point outside the tree");
      }
    }
  }

  /** The file name, the part after the last '/'. */
  public String fileName() {
    return value.substring(value.lastIndexOf('/') + 1);
  }

  /**
   * The name's prefix as the server's generators see it: the file name up to its last '-'
   * ({@code ubports} for {@code /pool/ubports-<sha>.tar.xz}), or the whole name without
   * extensions when it has no '-'.
   */
  public String prefix() {
    String name = fileName();
    int dash = name.lastIndexOf('-');
    if (dash > 0) {
      return name.substring(0, dash);
    }
    int dot = name.indexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** Where this path lives under {@code root}; refuses anything that would resolve outside it. */
  public Path resolveUnder(Path root) {
    Path base = root.toAbsolutePath().normalize();
    Path resolved = base.resolve(value.substring(1)).normalize();
    if (!resolved.startsWith(base) || resolved.equals(base)) {
      throw new IntegrityException("remote path " + quote(value) + " resolves outside " + base);
    }
    return resolved;
  }

  /** A sibling path: this path with {@code suffix} appended ({@code .asc}, {@code .json}). */
  public RemotePath withSuffix(String suffix) {
    return new RemotePath(value + suffix);
  }

  private static String quote(String s) {
    return "'" + Printable.escape(s, 200) + "'";
  }

  @Override
  public String toString() {
    return value;
  }
}
