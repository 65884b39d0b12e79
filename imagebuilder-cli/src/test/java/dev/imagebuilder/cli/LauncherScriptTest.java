package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/image-builder} before the jar is built: a clear message naming the build command. */
class LauncherScriptTest {
  @TempDir Path checkout;

  @Test
  void withoutTheJarTheLauncherSaysHowToBuildIt() throws Exception {
    Path script = Path.of("..", "bin", "image-builder").toAbsolutePath().normalize();
    assertThat(script).exists();
    Path copy = checkout.resolve("bin").resolve("image-builder");
    Files.createDirectories(copy.getParent());
    Files.copy(script, copy);

    Process p = new ProcessBuilder("sh", copy.toString(), "--help").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("imagebuilder-cli/target/image-builder.jar is not built yet")
        .contains("mvn -B package -DskipTests");
  }
}
