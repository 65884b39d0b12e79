package dev.imagebuilder.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a document the command was given (a request file, stdin, a catalog) with its size bounded
 * before it is read: a request or catalog is a few kilobytes, so anything past {@link #LIMIT} is
 * refused with a message, never read into memory ({@code --file /dev/zero} once ended in
 * OutOfMemoryError).
 */
final class BoundedInput {
  /** 1 MiB: far more than any request or catalog a person writes. */
  static final int LIMIT = 1 << 20;

  private BoundedInput() {}

  /** The file's text, UTF-8; {@code -} is {@code stdin}. */
  static String read(String option, String name, InputStream stdin) {
    if (name.equals("-")) {
      try {
        return text(option, "stdin", stdin);
      } catch (IOException e) {
        throw new UsageException(option + ": cannot read stdin (" + e.getMessage() + ")");
      }
    }
    Path file = Path.of(name);
    if (!Files.exists(file)) {
      throw new UsageException(option + ": cannot read '" + name + "' (no such file)");
    }
    if (Files.isDirectory(file)) {
      throw new UsageException(option + ": cannot read '" + name + "' (a directory)");
    }
    try {
      if (Files.isRegularFile(file) && Files.size(file) > LIMIT) {
        throw tooBig(option, "'" + name + "'");
      }
      try (InputStream in = Files.newInputStream(file)) {
        return text(option, "'" + name + "'", in);
      }
    } catch (IOException e) {
      throw new UsageException(option + ": cannot read '" + name + "' (" + e.getMessage() + ")");
    }
  }

  private static String text(String option, String what, InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(LIMIT + 1);
    if (bytes.length > LIMIT) {
      throw tooBig(option, what);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new UsageException(option + ": " + what + " is not UTF-8 text");
    }
  }

  private static UsageException tooBig(String option, String what) {
    return new UsageException(option + ": " + what + " is larger than 1 MiB, the most a request or catalog may be");
  }
}
