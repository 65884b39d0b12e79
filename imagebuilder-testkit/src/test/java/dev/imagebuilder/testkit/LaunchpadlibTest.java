package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified launchpadlib (Debian's python3-launchpadlib) drives the fake: login with a
 * credentials file, load a recipe, requestBuilds, poll builds, reschedule a failed upload. Needs
 * {@code /usr/bin/python3} with launchpadlib; skipped without it unless
 * {@code IMAGEBUILDER_SYSTEM_TESTS=required} (CI installs it with .ci/setup.d/testkit-launchpad.sh).
 */
class LaunchpadlibTest {
  private static final String PYTHON = "/usr/bin/python3";

  @Test
  void launchpadlibDrivesTheFake(@TempDir Path dir) throws Exception {
    requireLaunchpadlib();
    try (FakeLaunchpad lp = FakeLaunchpad.builder().realTime(Duration.ofMillis(200)).start()) {
      RecipeHandle recipe = lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "redis", "redis-22.04")
          .processors("amd64", "arm64", "s390x")
          .pushRule("https://registry.example", "ubuntu/redis", "bot");
      lp.script(recipe, "arm64").uploadFailsTimes(1);
      Path credentials = lp.writeCredentials(dir.resolve("credentials"));

      Process process = new ProcessBuilder(PYTHON, script().toString(), lp.webRoot().toString(),
          credentials.toString(), dir.resolve("cache").toString(), recipe.path())
          .redirectErrorStream(true).start();
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("script finished").isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(process.exitValue()).as(output).isZero();
      List<String> lines = output.lines().toList();
      assertThat(lines).contains(
          "me: " + FakeLaunchpad.USER,
          "processor: amd64 AMD x86-64",
          "recipe: redis-22.04 redis-22.04",
          "processors: amd64,arm64,s390x",
          "push_rules: 1",
          "webhooks: 1 http://127.0.0.1:9/hook oci-recipe:build:0.1 True",
          "webhook_is_listed: True",
          "webhooks_after_delete: 0",
          "request_status_initial: Pending",
          "request_status: Completed",
          "builds: 3",
          "rescheduled: 1");
      assertThat(lines).filteredOn(l -> l.startsWith("build: "))
          .extracting(l -> l.substring(0, l.lastIndexOf(' ')))
          .containsExactly(
              "build: amd64 Successfully built Uploaded",
              "build: arm64 Successfully built Uploaded",
              "build: s390x Successfully built Uploaded");
      assertThat(lp.operationCount("requestBuilds")).isEqualTo(1);
      assertThat(lp.operationCount("scheduleRegistryUpload")).isEqualTo(1);
      assertThat(lp.requests()).allSatisfy(c -> assertThat(c.anonymous()).isFalse());
    }
  }

  @Test
  void anonymousLaunchpadlibReadsButCannotWrite(@TempDir Path dir) throws Exception {
    requireLaunchpadlib();
    try (FakeLaunchpad lp = FakeLaunchpad.start()) {
      RecipeHandle recipe = lp.addRecipe("ubuntu-docker-images", "ubuntu-docker-images", "nginx", "nginx-24.04");

      Process process = new ProcessBuilder(PYTHON, script().toString(), "--anonymous", lp.webRoot().toString(),
          dir.resolve("cache").toString(), recipe.path()).redirectErrorStream(true).start();
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("script finished").isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output.lines()).contains("anonymous_recipe: nginx-24.04", "anonymous_write: 401");
      assertThat(lp.buildRequestStatuses(recipe)).isEmpty();
    }
  }

  private static Path script() {
    Path script = Path.of("src/test/python/drive_fake_launchpad.py");
    assertThat(script).exists();
    return script;
  }

  private static void requireLaunchpadlib() throws IOException, InterruptedException {
    boolean available = false;
    if (Files.isExecutable(Path.of(PYTHON))) {
      Process probe = new ProcessBuilder(PYTHON, "-c", "import launchpadlib.launchpad").redirectErrorStream(true).start();
      available = probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }
    if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
      assertThat(available).as("python3-launchpadlib is required (IMAGEBUILDER_SYSTEM_TESTS=required)").isTrue();
    }
    assumeTrue(available, "python3-launchpadlib not installed");
  }
}
