package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subcommands beyond the OCI rebuild: submit (wire format), login, fakes. */
class SubmitLoginFakesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void submitSendsEachItemToItsBackendAndReportsAnItemWithoutOneOnThatItem() throws Exception {
    try (FakeLaunchpad launchpad = FakeLaunchpad.builder().realTime(Duration.ofMillis(150)).start()) {
      DemoData.install(launchpad);
      Path requests = Files.writeString(dir.resolve("requests.json"), """
          [{"image_type": "oci", "images": ["nginx"], "series": ["24.04"], "architectures": ["amd64"]},
           {"image_type": "cloud", "image": "https://cloud-images.example.org/noble-server-cloudimg-amd64.img",
            "series": "noble", "package_list": ["hello"]}]
          """);
      Run r = run("submit", "--file", requests.toString(), "--wait", "--json",
          "--launchpad", launchpad.serviceRoot().toString(),
          "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
          "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
          "--poll-interval", "100ms", "--state", dir.resolve("state.json").toString(),
          // No backend named so: the cloud item has no backend here, whatever is installed.
          "--config", "backend.cloud=not-installed");

      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      String last = r.outLines().get(r.outLines().size() - 1);
      JsonNode summary = JSON.readTree(last);
      assertThat(summary.path("rejected")).hasSize(1);
      assertThat(summary.path("rejected").get(0).path("index").asInt()).isEqualTo(1);
      assertThat(summary.path("rejected").get(0).path("image_type").asText()).isEqualTo("cloud");
      assertThat(summary.path("builds")).hasSize(1);
      assertThat(summary.path("builds").get(0).path("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(summary.path("counts").path("succeeded").asInt()).isEqualTo(1);
      assertThat(r.err()).contains("Not submitted: item [1] (cloud)");
      assertThat(launchpad.operationCount("requestBuilds")).isEqualTo(1);
    }
  }

  @Test
  void submitRejectsAnInvalidItemAndSubmitsNothing() throws Exception {
    try (FakeLaunchpad launchpad = FakeLaunchpad.start()) {
      DemoData.install(launchpad);
      Path requests = Files.writeString(dir.resolve("requests.json"), """
          [{"image_type": "oci", "images": ["nginx"]},
           {"image_type": "oci", "images": ["redis"], "architectures": ["vax"]}]
          """);
      Run r = run("submit", "--file", requests.toString(),
          "--launchpad", launchpad.serviceRoot().toString(),
          "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
          "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
          "--state", dir.resolve("state.json").toString());

      assertThat(r.exit()).as(r.toString()).isEqualTo(2);
      assertThat(r.err()).contains("[1].architectures").contains("vax").doesNotContain("\tat ");
      assertThat(launchpad.requests()).noneMatch(c -> c.method().equals("POST"));
    }
  }

  @Test
  void loginWritesAPrivateCredentialsFileThatTheBuildsThenUse() throws Exception {
    try (FakeLaunchpad launchpad = FakeLaunchpad.builder().realTime(Duration.ofMillis(150))
        .autoApproveTokens(true).start()) {
      DemoData.install(launchpad);
      Path file = dir.resolve("config/launchpad.credentials");

      Run login = run("login", "--launchpad", launchpad.serviceRoot().toString(), "--credentials", file.toString());

      assertThat(login.exit()).as(login.toString()).isEqualTo(0);
      assertThat(login.out()).contains("+authorize-token?oauth_token=").contains("Credentials written to " + file);
      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
      String text = Files.readString(file);
      assertThat(text).startsWith("[1]").contains("consumer_key = image-builder");
      Matcher secret = Pattern.compile("access_secret = (\\S+)").matcher(text);
      assertThat(secret.find()).isTrue();
      assertThat(login.out() + login.err()).doesNotContain(secret.group(1));

      Run build = run("--launchpad", launchpad.serviceRoot().toString(), "--credentials", file.toString(),
          "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(), "--poll-interval", "100ms",
          "--state", dir.resolve("state.json").toString(), "--wait", "--series", "20.04", "--arch", "amd64", "--", "redis");
      assertThat(build.exit()).as(build.toString()).isEqualTo(0);
    }
  }

  @Test
  void fakesServesTheDemoUntilInterrupted() throws Exception {
    Fakes fakes = startFakes();
    String printed = fakes.printed();
    Matcher root = Pattern.compile("launchpad\\.service-root: (\\S+)").matcher(printed);
    assertThat(root.find()).as(printed).isTrue();
    assertThat(printed).contains("--credentials " + dir.resolve("launchpad-credentials"))
        .contains("--catalog " + dir.resolve("launchpad-catalog.json"));
    assertThat(dir.resolve("launchpad-credentials")).exists();
    assertThat(printed).containsPattern("system-image\\.server: http://(127\\.0\\.0\\.1|localhost):\\d+");
    HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(root.group(1))).header("Accept", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);

    fakes.command().interrupt();
    fakes.command().join(20_000);
    assertThat(fakes.exit().get()).isEqualTo(130);
  }

  /**
   * Regression: the command {@code fakes} prints used the library's pace (a 30 s poll, 5 minutes
   * before an upload retry), so against the demo's builds of seconds it took minutes, five of them
   * waiting to retry the upload the demo fails once (redis 22.04 arm64). It now carries the
   * demo's client settings, and that target succeeds after one retry within seconds.
   */
  @Test
  void theCommandFakesPrintsBuildsAgainstThemAtTheirPace() throws Exception {
    Fakes fakes = startFakes();
    try {
      String printed = fakes.printed();
      assertThat(printed).contains("launchpad.poll-interval: 1s", "launchpad.upload-retry-backoff: 2s");
      Matcher command = Pattern.compile("\\n  image-builder (.+)\\n").matcher(printed);
      assertThat(command.find()).as(printed).isTrue();
      List<String> args = new ArrayList<>(List.of(command.group(1).split(" ")));
      args.addAll(List.of("--state", dir.resolve("run.json").toString(), "--series", "22.04", "--arch", "arm64",
          "--", "redis"));

      Run run = CommandRunner.run(args);

      assertThat(run.exit()).as(run.out() + run.err()).isZero();
      assertThat(run.out()).contains("upload retry 1 of 3 in 2s").contains("1 target: 1 succeeded");
    } finally {
      fakes.command().interrupt();
      fakes.command().join(20_000);
    }
  }

  /** {@code image-builder fakes} running in this process, its exit status (-1 while it runs), and what it printed. */
  private record Fakes(Thread command, AtomicInteger exit, ByteArrayOutputStream out) {
    String printed() {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Starts {@code image-builder fakes --output dir} and waits until it serves. */
  private Fakes startFakes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread command = new Thread(() -> exit.set(Main.run(new String[] {"fakes", "--output", dir.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true))));
    command.start();
    Fakes fakes = new Fakes(command, exit, out);
    Await.until("the fakes serving", Duration.ofSeconds(20), () -> {
      assertThat(exit.get()).as(fakes.printed()).isEqualTo(-1);
      return fakes.printed().contains("Serving until interrupted");
    });
    return fakes;
  }
}
