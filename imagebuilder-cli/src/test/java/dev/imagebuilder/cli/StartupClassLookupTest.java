package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The help and the version look up no class and no method that is not there. A failed class lookup
 * searches the whole class path, and for the command that means opening the 15,000-entry jar,
 * whose classes the help otherwise all get from the class-data-sharing archive (issue #16,
 * docs/benchmarks.md): picocli looked for Groovy that way on every start. And the exit looked up
 * Java 21's HttpClient methods even when no client was to be closed: on Java 17, two failed
 * lookups whose exception messages loaded 38 more classes.
 */
class StartupClassLookupTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"--help", "--version"})
  void startsWithoutLookingForAMissingClassOrMethod(String option) throws Exception {
    Path log = dir.resolve("exceptions.log");
    Process p = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xlog:exceptions=info:file=" + log,
            "-cp", System.getProperty("java.class.path"), Main.class.getName(), option))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("image-builder");

    // The JVM logs every exception thrown, caught or not (it started, so the log option was
    // taken): a failed lookup is a ClassNotFoundException thrown inside the class loader, or a
    // NoSuchMethodException from Class.getMethod.
    assertThat(log).exists();
    assertThat(Files.readAllLines(log))
        .as("exceptions logged while running %s", option)
        .noneMatch(line -> line.contains("ClassNotFoundException") || line.contains("NoSuchMethodException"));
  }
}
