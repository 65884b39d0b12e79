package dev.imagebuilder.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A JDK home for the launcher scripts' tests: {@code bin/java} is a shell script of the test's,
 * and {@code lib/server/libjvm.so} exists, since the scripts name the Java that made an archive by
 * that file's size and time.
 */
final class StandInJdk {
  private StandInJdk() {}

  /** Lays out {@code javaHome} with {@code javaScript} as its {@code bin/java}. */
  static void install(Path javaHome, String javaScript) throws IOException {
    Path java = javaHome.resolve("bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, javaScript);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path libjvm = javaHome.resolve("lib/server/libjvm.so");
    Files.createDirectories(libjvm.getParent());
    Files.writeString(libjvm, "a JVM");
  }
}
