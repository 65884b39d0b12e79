package dev.imagebuilder.glance;

import dev.imagebuilder.api.InvalidRequestException;
import java.util.Locale;

/** How the image's bytes reach Glance. */
public enum ImportMethod {
  /** {@code PUT /v2/images/<id>/file}: one synchronous request; works on every Glance. */
  UPLOAD("upload"),
  /**
   * {@code PUT .../stage} then {@code POST .../import} with {@code glance-direct}, then waiting
   * for the image to become active: for clouds that disable {@code /file} uploads.
   */
  GLANCE_DIRECT("glance-direct");

  private final String label;

  ImportMethod(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** {@code upload} or {@code glance-direct}; {@code field} names the setting in errors. */
  public static ImportMethod parse(String field, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    for (ImportMethod m : values()) {
      if (m.label.equals(t)) {
        return m;
      }
    }
    throw new InvalidRequestException(field, "'" + text + "' is not an import method (upload or glance-direct)");
  }
}
