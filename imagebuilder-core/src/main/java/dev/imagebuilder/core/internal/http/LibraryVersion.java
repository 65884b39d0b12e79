package dev.imagebuilder.core.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library's version, for the User-Agent. */
final class LibraryVersion {
  private static final String FALLBACK = "dev";

  private LibraryVersion() {}

  /**
   * The version Maven wrote into {@code version.properties}, else the jar's
   * Implementation-Version, else {@value #FALLBACK} (running from an IDE's unfiltered classes).
   */
  static String get() {
    try (InputStream in = LibraryVersion.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "").strip();
        if (!v.isEmpty() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through to the manifest
    }
    String manifest = LibraryVersion.class.getPackage().getImplementationVersion();
    return manifest == null || manifest.isBlank() ? FALLBACK : manifest.strip();
  }
}
