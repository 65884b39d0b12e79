package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/image-builder-cds} with a stand-in {@code java} that writes the class lists of the two
 * training runs as a given Java does and keeps the list each archive is dumped from. The whole
 * archive's list merges both runs: each class once, each other line once, and, in the format of
 * Java 18 and later ({@code java/lang/Object id: 0}, each list numbered from 0), ids that are
 * unique. Regression: the merge kept each run's ids, Java 25 refused the list ("Duplicated ID"),
 * and no archive was made at all on such a Java.
 */
class ClassDataSharingScriptTest {
  @TempDir Path checkout;
  @TempDir Path javaHome;
  @TempDir Path lists;

  @BeforeEach
  void layOut() throws Exception {
    Path script = checkout.resolve("bin/image-builder-cds");
    Files.createDirectories(script.getParent());
    Files.copy(Path.of("..", "bin", "image-builder-cds").toAbsolutePath().normalize(), script);
    Path jar = checkout.resolve("imagebuilder-cli/target/image-builder.jar");
    Files.createDirectories(jar.getParent());
    Files.writeString(jar, "not really a jar");

    // A training run writes the list kept for it ($FAKE_LISTS/help or dry-run); a dump keeps the
    // list it was given ($FAKE_LISTS/dumped-ARCHIVE) and writes the archive.
    StandInJdk.install(javaHome, """
        #!/bin/sh
        list= classes= out= run=
        for a in "$@"; do
          case $a in
            -XX:DumpLoadedClassList=*) list=${a#*=} ;;
            -XX:SharedClassListFile=*) classes=${a#*=} ;;
            -XX:SharedArchiveFile=*) out=${a#*=} ;;
            --help) run=help ;;
            --dry-run) run=dry-run ;;
          esac
        done
        if [ -n "$list" ]; then cp "$FAKE_LISTS/$run" "$list"; exit 0; fi
        if [ -n "$classes" ]; then cp "$classes" "$FAKE_LISTS/dumped-${out##*/}"; echo archive >"$out"; exit 0; fi
        exit 1
        """);
  }

  @Test
  void listsWithIdsAreMergedWithEachClassOnceAndIdsGivenAnew() throws Exception {
    Files.writeString(lists.resolve("dry-run"), """
        # NOTE: Do not modify this file.
        java/lang/Object id: 0
        java/util/TreeMap id: 1
        dev/imagebuilder/cli/Main id: 2
        com/fasterxml/jackson/databind/ObjectMapper id: 3
        @lambda-proxy dev/imagebuilder/cli/Main run ()Ljava/lang/Runnable;
        """);
    Files.writeString(lists.resolve("help"), """
        # NOTE: Do not modify this file.
        java/lang/Object id: 0
        dev/imagebuilder/cli/Main id: 1
        java/util/TreeMap$Entry id: 2
        picocli/CommandLine id: 3
        @lambda-proxy dev/imagebuilder/cli/Main run ()Ljava/lang/Runnable;
        """);

    runScript();

    List<String> merged = Files.readAllLines(lists.resolve("dumped-image-builder.jsa"));
    assertThat(merged.stream().filter(l -> !l.startsWith("#") && !l.startsWith("@"))).containsExactly(
        "java/lang/Object id: 0",
        "java/util/TreeMap id: 1",
        "dev/imagebuilder/cli/Main id: 2",
        "com/fasterxml/jackson/databind/ObjectMapper id: 3",
        "java/util/TreeMap$Entry id: 4",
        "picocli/CommandLine id: 5");
    assertThat(merged).containsOnlyOnce("@lambda-proxy dev/imagebuilder/cli/Main run ()Ljava/lang/Runnable;");
    assertThat(Files.readString(lists.resolve("dumped-image-builder-help.jsa")))
        .as("the help archive's list is the help run's own")
        .isEqualTo(Files.readString(lists.resolve("help")));
  }

  @Test
  void listsWithoutIdsAsJava17WritesThemAreMergedLineByLine() throws Exception {
    Files.writeString(lists.resolve("dry-run"), """
        java/lang/Object
        dev/imagebuilder/cli/Main
        @lambda-proxy dev/imagebuilder/cli/Main run ()Ljava/lang/Runnable;
        """);
    Files.writeString(lists.resolve("help"), """
        java/lang/Object
        picocli/CommandLine
        @lambda-proxy dev/imagebuilder/cli/Main run ()Ljava/lang/Runnable;
        """);

    runScript();

    assertThat(Files.readAllLines(lists.resolve("dumped-image-builder.jsa"))).containsExactly(
        "java/lang/Object",
        "dev/imagebuilder/cli/Main",
        "@lambda-proxy dev/imagebuilder/cli/Main run ()Ljava/lang/Runnable;",
        "picocli/CommandLine");
  }

  private void runScript() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", checkout.resolve("bin/image-builder-cds").toString());
    pb.environment().put("JAVA_HOME", javaHome.toRealPath().toString());
    pb.environment().put("FAKE_LISTS", lists.toString());
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("image-builder-cds: wrote");
    assertThat(checkout.resolve("imagebuilder-cli/target/image-builder.jsa")).exists();
    assertThat(checkout.resolve("imagebuilder-cli/target/image-builder-help.jsa")).exists();
  }
}
