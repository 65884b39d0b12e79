package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The command as named modules: {@code java -p ... -m dev.imagebuilder.cli/...} in a new JVM,
 * with this test's own dependencies (minus the test libraries) as the module path. The dry run
 * proves that the module descriptors resolve together and that ServiceLoader finds the Launchpad
 * backend through {@code provides}, not through META-INF/services.
 */
class ModulePathTest {
  private static final List<String> TEST_ONLY = List.of(
      "test-classes", "junit-", "assertj-", "byte-buddy", "opentest4j", "apiguardian", "jspecify", "surefire");

  @Test
  void theCommandRunsOnTheModulePath() throws Exception {
    String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> TEST_ONLY.stream().noneMatch(p::contains))
        .collect(Collectors.joining(File.pathSeparator));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Result help = java(java, modulePath, "--help");
    assertThat(help.exit()).as(help.output()).isEqualTo(0);
    assertThat(help.output()).contains("Usage: image-builder");

    Result plan = java(java, modulePath, "--launchpad", "demo", "--dry-run", "--json", "--series", "24.04",
        "--arch", "riscv64,amd64", "--", "redis");
    assertThat(plan.exit()).as(plan.output()).isEqualTo(0);
    JsonNode doc = new ObjectMapper().readTree(plan.output().substring(plan.output().indexOf('{')));
    assertThat(doc.path("plans").get(0).path("backend").asText()).isEqualTo("launchpad");
    assertThat(doc.path("targets").asInt()).isEqualTo(1); // the demo recipes build no riscv64
  }

  record Result(int exit, String output) {}

  private static Result java(String java, String modulePath, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java, "-p", modulePath, "-m",
        "dev.imagebuilder.cli/dev.imagebuilder.cli.Main"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
