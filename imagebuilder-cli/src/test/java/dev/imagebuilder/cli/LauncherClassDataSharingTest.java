package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code bin/image-builder} starts Java: with a class-data-sharing archive only when it is
 * current (newer than the jar, made by this Java), the help archive for help and the version,
 * C1 alone for help, the version and dry runs, and the terminal's width for a help in a terminal;
 * the command runs either way. The "Java" here is a script in a JAVA_HOME laid out like a JDK that
 * prints the arguments it was given and the COLUMNS it got.
 */
class LauncherClassDataSharingTest {
  @TempDir Path checkout;
  @TempDir Path javaHome;
  private Path jar;
  private Path archive;
  private Path helpArchive;
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
    helpArchive = checkout.resolve("imagebuilder-cli/target/image-builder-help.jsa");
    archiveJvm = checkout.resolve("imagebuilder-cli/target/image-builder.jsa.jvm");

    StandInJdk.install(javaHome, "#!/bin/sh\nfor a in \"$@\"; do echo \"arg: $a\"; done\n"
        + "[ -n \"${COLUMNS:-}\" ] && echo \"arg: COLUMNS=$COLUMNS\"\nexit 0\n");
  }

  @Test
  void aCurrentArchiveIsPassedToJava() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), thisJava());

    List<String> args = run("status");

    assertThat(args).contains("-XX:SharedArchiveFile=" + archive)
        .containsSubsequence("-cp", jar.toString(), "dev.imagebuilder.cli.Main", "status");
  }

  @Test
  void helpAndTheVersionMapTheSmallerHelpArchive() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), thisJava());
    writeHelpArchive(jarBuilt.plusSeconds(60));

    for (List<String> command : List.of(List.of("--help"), List.of("-h"), List.of("--version"), List.of("-V"),
        List.of("status", "--help"))) {
      assertThat(run(command.toArray(String[]::new))).as("%s", command)
          .contains("-XX:SharedArchiveFile=" + helpArchive);
    }
    assertThat(run("--launchpad", "demo", "--dry-run")).contains("-XX:SharedArchiveFile=" + archive);
    assertThat(run("--", "--help")).as("an image named --help").contains("-XX:SharedArchiveFile=" + archive);
  }

  @Test
  void withoutTheHelpArchiveHelpMapsTheWholeOne() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), thisJava());

    assertThat(run("--help")).contains("-XX:SharedArchiveFile=" + archive);
  }

  @Test
  void anArchiveOlderThanTheJarIsLeftOut() throws Exception {
    writeArchive(jarBuilt.minusSeconds(60), thisJava());
    writeHelpArchive(jarBuilt.minusSeconds(60));

    for (String command : List.of("--help", "status")) {
      assertThat(run(command)).as(command).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"))
          .containsSubsequence("-cp", jar.toString(), "dev.imagebuilder.cli.Main", command);
    }
  }

  @Test
  void anArchiveMadeByAnotherJavaIsLeftOut() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), "/usr/lib/jvm/other/lib/server/libjvm.so 1 2");
    writeHelpArchive(jarBuilt.plusSeconds(60));

    assertThat(run("--help")).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
    assertThat(run("status")).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
  }

  @Test
  void withoutAnArchiveTheCommandRunsAsBefore() throws Exception {
    List<String> args = run("--launchpad", "demo", "--dry-run");

    assertThat(args).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"))
        .containsSubsequence("-cp", jar.toString(), "dev.imagebuilder.cli.Main", "--launchpad", "demo", "--dry-run");
  }

  @Test
  void helpTheVersionAndDryRunsAreCompiledByC1AloneEverythingElseKeepsC2() throws Exception {
    for (List<String> quick : List.of(List.of("--help"), List.of("--version"), List.of("--dry-run", "--", "redis"),
        List.of("submit", "--request", "r.json", "--dry-run"))) {
      assertThat(run(quick.toArray(String[]::new))).as("%s", quick)
          .contains("-XX:TieredStopAtLevel=1").noneMatch(a -> a.startsWith("-XX:Tier4"));
    }
    for (List<String> longer : List.of(List.of("--wait"), List.of("status"), List.of("--", "--dry-run"),
        List.of("submit", "--request", "r.json"))) {
      assertThat(run(longer.toArray(String[]::new))).as("%s", longer)
          .contains("-XX:Tier4InvocationThreshold=50000").doesNotContain("-XX:TieredStopAtLevel=1");
    }
  }

  @Test
  void aHelpInATerminalIsGivenTheTerminalsWidth() throws Exception {
    Path launcher = checkout.resolve("bin/image-builder");
    // script(1) runs the launcher on a pseudo-terminal of 97 columns.
    String shell = "stty cols 97 rows 24; JAVA_HOME='" + javaHome.toRealPath() + "' sh " + launcher;
    Process p = new ProcessBuilder("script", "-qec", shell + " --help", "/dev/null")
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(out.lines().map(String::strip)).as(out).contains("arg: COLUMNS=97");
    assertThat(run("--help")).as("not a terminal").noneMatch(a -> a.startsWith("COLUMNS="));
    assertThat(run(List.of("COLUMNS=120"), "--help")).as("COLUMNS already set").contains("COLUMNS=120");
  }

  @Test
  void javaOptsComeLastSoTheyCanOverrideTheLaunchersOptions() throws Exception {
    writeArchive(jarBuilt.plusSeconds(60), thisJava());

    List<String> args = run(List.of("JAVA_OPTS=-XX:Tier4InvocationThreshold=200"), "status");

    assertThat(args).containsSubsequence("-XX:Tier4InvocationThreshold=50000",
        "-XX:Tier4InvocationThreshold=200", "-cp");
    assertThat(run(List.of("JAVA_OPTS=-XX:TieredStopAtLevel=4"), "--help"))
        .containsSubsequence("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4", "-cp");
  }

  @Test
  void aSymlinkToTheLauncherRunsTheCheckoutItPointsTo() throws Exception {
    // ~/bin/image-builder -> the checkout's launcher, and a relative link to that link. (In the
    // checkout's temporary directory, which JUnit then deletes with the links.)
    Path elsewhere = Files.createDirectories(checkout.resolve("home/bin"));
    Path absolute = Files.createSymbolicLink(elsewhere.resolve("image-builder"), checkout.resolve("bin/image-builder"));
    Path relative = Files.createDirectories(elsewhere.resolve("tools")).resolve("ib");
    Files.createSymbolicLink(relative, Path.of("../image-builder"));

    for (Path link : List.of(absolute, relative)) {
      assertThat(runScript(link, List.of(), "status")).as("%s", link)
          .containsSubsequence("-cp", jar.toString(), "dev.imagebuilder.cli.Main", "status");
    }
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

  private void writeHelpArchive(Instant made) throws Exception {
    Files.writeString(helpArchive, "a smaller archive");
    Files.setLastModifiedTime(helpArchive, FileTime.from(made));
  }

  private List<String> run(String... args) throws Exception {
    return run(List.of(), args);
  }

  private List<String> run(List<String> environment, String... args) throws Exception {
    return runScript(checkout.resolve("bin/image-builder"), environment, args);
  }

  private List<String> runScript(Path launcher, List<String> environment, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder();
    pb.command().addAll(List.of("sh", launcher.toString()));
    pb.command().addAll(List.of(args));
    pb.environment().put("JAVA_HOME", javaHome.toRealPath().toString());
    pb.environment().remove("JAVA_OPTS");
    pb.environment().remove("COLUMNS");
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
