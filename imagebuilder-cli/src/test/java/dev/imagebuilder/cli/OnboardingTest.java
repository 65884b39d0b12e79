package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.cli.internal.Cli;
import dev.imagebuilder.cli.internal.Invocation;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's first steps: no catalog yet (one line saying what to do), {@code catalog init}
 * against the fake Launchpad's {@code searchOCIProjects}, and a run that finds the catalog at its
 * default place under {@code $HOME}.
 */
class OnboardingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  FakeLaunchpad launchpad;
  Path credentials;

  @BeforeEach
  void start() {
    launchpad = FakeLaunchpad.start();
    // OCI projects of the distribution 'ubuntu', each with recipes named <image>-<series>.
    for (String image : new String[] {"redis", "nginx"}) {
      for (String series : new String[] {"22.04", "24.04"}) {
        launchpad.addRecipe("ubuntu-docker-images", "ubuntu", image, image + "-" + series);
      }
    }
    // An OCI project of a project pillar: not the distribution's.
    launchpad.addRecipe("someone", "other-project", "postgres", "postgres-22.04");
    credentials = launchpad.writeCredentials(home.resolve("credentials"));
  }

  @AfterEach
  void stop() {
    launchpad.close();
  }

  /** The command with HOME set to the test's directory and no XDG variables. */
  Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = Map.of("HOME", home.toString());
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = new Cli(new Invocation(o, e, false, env::get, false)).run(args);
    }
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void withoutACatalogTheFirstRunSaysInOneLineWhatToDo() {
    Run r = run("--launchpad", launchpad.serviceRoot().toString(), "--credentials", credentials.toString(),
        "--", "redis");

    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("image-builder: no catalog of OCI recipes yet: run 'image-builder catalog init'")
        .contains(home.resolve(".config/image-builder/catalog.json").toString())
        .contains("--catalog FILE");
    assertThat(r.err().length()).isLessThan(240);
  }

  @Test
  void catalogInitWritesTheDefaultCatalogThatRunsThenUse() throws Exception {
    Run init = run("catalog", "init", "--launchpad", launchpad.serviceRoot().toString(),
        "--owner", "ubuntu-docker-images", "--series", "22.04,24.04");

    assertThat(init.exit()).as(init.toString()).isZero();
    Path catalog = home.resolve(".config/image-builder/catalog.json");
    assertThat(init.out()).contains("Found 2 OCI projects of ubuntu: redis, nginx")
        .contains("Catalog written to " + catalog);
    JsonNode template = JSON.readTree(Files.readString(catalog)).path("template");
    assertThat(template.path("owner").asText()).isEqualTo("ubuntu-docker-images");
    assertThat(template.path("project").asText()).isEqualTo("ubuntu");
    assertThat(template.path("recipe").asText()).isEqualTo("{image}-{series}");
    assertThat(template.path("images").path("redis").toString()).isEqualTo("[\"22.04\",\"24.04\"]");
    assertThat(template.path("images").has("postgres")).isFalse();
    assertThat(launchpad.requests().stream()
        .filter(c -> c.method().equals("GET") && "searchOCIProjects".equals(c.wsOp()))).hasSize(1);

    // The next run finds it at its default place: every recipe it names exists.
    Run plan = run("--launchpad", launchpad.serviceRoot().toString(), "--credentials", credentials.toString(),
        "--dry-run");
    assertThat(plan.exit()).as(plan.toString()).isZero();
    assertThat(plan.out()).contains("would build").contains("redis").contains("nginx")
        .contains("Dry run: nothing was submitted");

    // It is not replaced unless asked.
    Run again = run("catalog", "init", "--launchpad", launchpad.serviceRoot().toString(),
        "--owner", "ubuntu-docker-images");
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).contains("exists; add --force");
  }

  @Test
  void catalogInitFiltersAndPrintsToStdout() throws Exception {
    Run r = run("--launchpad", launchpad.serviceRoot().toString(), "catalog", "init", "--owner", "me",
        "--text", "RED", "--recipe", "{image}-{codename}", "--output", "-");

    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode template = JSON.readTree(r.out()).path("template");
    assertThat(template.path("images").size()).isEqualTo(1);
    assertThat(template.path("images").has("redis")).isTrue();
    assertThat(template.path("recipe").asText()).isEqualTo("{image}-{codename}");
    assertThat(home.resolve(".config/image-builder/catalog.json")).doesNotExist();
  }

  @Test
  void catalogInitRefusesWhatLaunchpadWouldNot() {
    // searchOCIProjects is exported on distributions only.
    Run project = run("catalog", "init", "--launchpad", launchpad.serviceRoot().toString(),
        "--owner", "someone", "--distribution", "other-project");
    assertThat(project.exit()).as(project.toString()).isNotZero();
    assertThat(project.err()).contains("No such operation: searchOCIProjects");

    Run none = run("catalog", "init", "--launchpad", launchpad.serviceRoot().toString(),
        "--owner", "me", "--text", "no-such-thing");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("has no OCI project matching 'no-such-thing'");

    Run badImage = run("catalog", "init", "--launchpad", launchpad.serviceRoot().toString(),
        "--owner", "me", "--image", "mysql");
    assertThat(badImage.exit()).isEqualTo(2);
    assertThat(badImage.err()).contains("--image: mysql is not an OCI project of 'ubuntu'");
    assertThat(home.resolve(".config/image-builder/catalog.json")).doesNotExist();
  }
}
