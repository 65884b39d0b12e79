package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.InvalidRequestException;
import java.util.Locale;

/** The disk formats the backend writes, named as {@code qemu-img} and {@code virt-customize} name them. */
public enum OutputFormat {
  QCOW2("qcow2", ".qcow2"),
  RAW("raw", ".raw");

  private final String qemuName;
  private final String extension;

  OutputFormat(String qemuName, String extension) {
    this.qemuName = qemuName;
    this.extension = extension;
  }

  /** As {@code qemu-img -O} and {@code virt-customize --format} take it. */
  public String qemuName() {
    return qemuName;
  }

  public String extension() {
    return extension;
  }

  static OutputFormat parse(String field, String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    for (OutputFormat f : values()) {
      if (f.qemuName.equals(s)) {
        return f;
      }
    }
    throw new InvalidRequestException(field, "'" + text + "' is not an output format (use qcow2 or raw)");
  }
}
