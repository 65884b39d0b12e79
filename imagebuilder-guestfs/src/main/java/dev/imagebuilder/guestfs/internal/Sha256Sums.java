package dev.imagebuilder.guestfs.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code SHA256SUMS} file as {@code sha256sum} writes it and cloud image servers publish it:
 * {@code <hex> *name} (binary mode) or {@code <hex>  name} (text mode), one file a line.
 */
record Sha256Sums(Map<String, String> byName) {
  private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

  Sha256Sums {
    byName = Map.copyOf(byName);
  }

  static Sha256Sums parse(String text) {
    Map<String, String> entries = new LinkedHashMap<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        String name = m.group(2).strip();
        if (name.startsWith("./")) {
          name = name.substring(2);
        }
        entries.putIfAbsent(name, m.group(1).toLowerCase(Locale.ROOT));
      }
    }
    return new Sha256Sums(entries);
  }

  /** The checksum listed for {@code fileName}, if any. */
  Optional<String> forFile(String fileName) {
    return Optional.ofNullable(byName.get(fileName));
  }
}
