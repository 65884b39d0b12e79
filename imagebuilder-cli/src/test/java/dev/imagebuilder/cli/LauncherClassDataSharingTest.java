package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When {@code bin/image-builder} starts Java with the class-data-sharing archive: only a current
 * one (newer than the jar, made by this Java), and the command runs either way. The "Java" here
 * is a script in a JAVA_HOME laid out like a JDK that prints the arguments it was given.
 */
class LauncherClassDataSharingTest {
  @TempDir Path checkout;
  @TempDir Path javaHome;
  private Path jar;
  private Path archive;
  private Path archiveJvm;
  private final Instant jarBuilt = Instant.parse("2026-12-01T10:00:00Z");

  @BeforeEach
  void layOut() throws Exception {
    Path script = Path.of("..", "bin", "image-builder").toAbsolutePath().normalize();
    Path launcher = checkout.resolve("bin/image-builder");
    Files.createDirectories(launcher.getParent());
    Files.copy(script, launcher);
    jar = checkout.resolve("imagebuilder-cli/target/image-builder.jar");
    Files.createDirectories(jar.getParent());
    Files.writeString(jar, "not really a jar");
    Files.setLastModifiedTime(jar, FileTime.from(jarBuilt));
    archive = checkout.resolve("imagebuilder-cli/target/image-builder.jsa");
    archiveJvm = checkout.resolve("imagebuilder-cli/target/image-builder.jsa.jvm");

    Path java = javaHome.resolve("bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"arg: $a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path libjvm = javaHome.resolve("lib/server/libjvm.so");
    Files.createDirectories(libjvm.getParent());
    Files.writeString(libjvm, "a JVM");
  }

  @Test
  void aCurrentArchiveIsPassedToJava() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), thisJava());

    List<String> args = run("--help");

    assertThat(args).contains("-XX:SharedArchiveFile=" + archive)
        .containsSubsequence("-jar", jar.toString(), "--help");
  }

  @Test
  void anArchiveOlderThanTheJarIsLeftOut() throws Exception {
    writeArchive(jarBuilt.minusSeconds(60), thisJava());

    List<String> args = run("--help");

    assertThat(args).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"))
        .containsSubsequence("-jar", jar.toString(), "--help");
  }

  @Test
  void anArchiveMadeByAnotherJavaIsLeftOut() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), "/usr/lib/jvm/other/lib/server/libjvm.so 1 2");

    assertThat(run("--help")).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
  }

  @Test
  void withoutAnArchiveTheCommandRunsAsBefore() throws Exception {
    List<String> args = run("--launchpad", "demo", "--dry-run");

    assertThat(args).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"))
        .containsSubsequence("-jar", jar.toString(), "--launchpad", "demo", "--dry-run");
  }

  @Test
  void javaOptsComeLastSoTheyCanOverrideTheLaunchersOptions() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), thisJava());

    List<String> args = run(List.of("JAVA_OPTS=-XX:Tier3InvocationThreshold=200"), "--help");

    assertThat(args).containsSubsequence("-XX:Tier3InvocationThreshold=2000",
        "-XX:Tier3InvocationThreshold=200", "-jar");
  }

  /** What bin/image-builder-cds records: the JVM library's path, size and modification time. */
  private String thisJava() throws Exception {
    Path libjvm = javaHome.resolve("lib/server/libjvm.so").toRealPath();
    return libjvm + " " + Files.size(libjvm) + " "
        + Files.getLastModifiedTime(libjvm).toInstant().getEpochSecond();
  }

  private void writeArchive(Instant made, String jvm) throws Exception {
    Files.writeString(archive, "an archive");
    Files.setLastModifiedTime(archive, FileTime.from(made));
    Files.writeString(archiveJvm, jvm + "\n");
  }

  private List<String> run(String... args) throws Exception {
    return run(List.of(), args);
  }

  private List<String> run(List<String> environment, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().addAll(List.of("sh", checkout.resolve("bin/image-builder").toString()));
    pb.command().addAll(List.of(args));
    pb.environment().put("JAVA_HOME", javaHome.toRealPath().toString());
    pb.environment().remove("JAVA_OPTS");
    for (String e : environment) {
      String[] kv = e.split("=", 2);
      pb.environment().put(kv[0], kv[1]);
    }
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().filter(l -> l.startsWith("arg: ")).map(l -> l.substring(5)).toList();
  }
}
