package dev.imagebuilder.guestfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.guestfs.internal.Executables;
import dev.imagebuilder.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: the real virt-customize customizes the tiny Debian image that
 * {@code .ci/setup.d/guestfs.sh} builds, through {@link ImageBuilder} as users call it, and the
 * result is read back with guestfish. The "PPA" is the signed repository the setup script put
 * inside that image (Launchpad is unreachable from CI), reached through the configurable
 * {@code ppa-url-template}; apt in the appliance verifies it with the configured key.
 *
 * <p>Skips when the tools or the image are missing, unless {@code IMAGEBUILDER_SYSTEM_TESTS=required}.
 */
class GuestfsSystemTest {
  static final Path CACHE = Path.of(System.getenv().getOrDefault(
      "IMAGEBUILDER_GUESTFS_TEST_CACHE", "/var/cache/imagebuilder-test/guestfs"));
  static final Path BASE = CACHE.resolve("base.qcow2");
  static final Path KEY = CACHE.resolve("test-ppa-key.asc");
  static final String PROBE = "imagebuilder-test-probe";
  static final String TCG = System.getenv().getOrDefault("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg");

  @TempDir Path tmp;
  final List<BuildEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void requireTools() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("virt-customize", "guestfish", "qemu-img")) {
      if (Executables.find(tool).isEmpty()) {
        missing.add(tool + " (apt-get install libguestfs-tools)");
      }
    }
    if (!Files.isRegularFile(BASE) || !Files.isRegularFile(KEY)) {
      missing.add(BASE + " and " + KEY + " (run .ci/setup.d/guestfs.sh as root)");
    }
    if (!missing.isEmpty()) {
      String why = "guestfs system test needs " + String.join(", ", missing);
      if ("required".equals(System.getenv("IMAGEBUILDER_SYSTEM_TESTS"))) {
        fail(why);
      }
      assumeTrue(false, why);
    }
  }

  ImageBuilder builder() {
    return ImageBuilder.newBuilder()
        .stateDirectory(tmp.resolve("state"))
        .config("guestfs.output-directory", tmp.resolve("out").toString())
        .config("guestfs.output-name", "probe")
        .config("guestfs.backend-settings", TCG)
        .config("guestfs.ppa-url-template", "file:/srv/imagebuilder-test-ppa/{owner}/{name}/{distribution}")
        .config("guestfs.ppa-key-file", KEY.toString())
        .config("guestfs.timeout", "20m")
        .listener(events::add)
        .build();
  }

  @Test
  void realVirtCustomizeAddsThePpaAndInstallsItsPackage() throws Exception {
    BuildResult result;
    long started = System.nanoTime();
    try (ImageBuilder builder = builder()) {
      result = builder.submit(ImageRequest.cloud()
              .image(BASE.toUri())
              .series("bookworm")
              .ppas("ppa:imagebuilder-test/probe")
              .packages(PROBE)
              .build())
          .await(Duration.ofMinutes(25));
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    System.out.println("guestfs system test: the real virt-customize build took " + seconds + " s");

    TargetStatus target = result.targets().get(0);
    assertThat(target.state()).as(target + "\n" + logLines()).isEqualTo(TargetState.SUCCEEDED);
    Path output = Path.of(target.outputs().get("path"));
    assertThat(output).isEqualTo(tmp.resolve("out/probe.qcow2"));
    assertThat(target.outputs()).containsEntry("size", Long.toString(Files.size(output)));
    assertThat(run("sha256sum", output.toString())).startsWith(target.outputs().get("sha256") + " ");
    assertThat(run("qemu-img", "info", "--output=json", output.toString())).contains("\"format\": \"qcow2\"");
    assertThat(events).filteredOn(BuildEvent.Progress.class::isInstance)
        .extracting(e -> ((BuildEvent.Progress) e).message())
        .contains("Installing packages: " + PROBE, "Finishing off");

    // One appliance boot for every check: guestfish reads the commands from its input.
    String inside = runWithInput(String.join("\n",
            "cat /etc/apt/sources.list.d/imagebuilder-test-ubuntu-probe-bookworm.sources",
            "echo ====",
            "ls /etc/apt/keyrings",
            "echo ====",
            "cat /usr/share/" + PROBE + "/marker",
            "echo ====",
            "cat /var/lib/dpkg/status") + "\n",
        "guestfish", "--ro", "--format=qcow2", "-a", output.toString(), "-i");
    String[] parts = inside.split("====\n", -1);
    assertThat(parts[0])
        .contains("URIs: file:/srv/imagebuilder-test-ppa/imagebuilder-test/probe/ubuntu\n")
        .contains("Suites: bookworm\n")
        .contains("Signed-By: /etc/apt/keyrings/imagebuilder-test-ubuntu-probe.gpg\n");
    assertThat(parts[1]).contains("imagebuilder-test-ubuntu-probe.gpg");
    assertThat(parts[2].strip()).isEqualTo("installed from the imagebuilder test PPA");
    assertThat(stanza(parts[3], PROBE)).contains("Status: install ok installed").contains("Version: 1.0");
    assertThat(BASE).as("the base image is only read").isReadable();
  }

  @Test
  void cancellingARealBuildKillsTheAppliance() throws Exception {
    Path out = tmp.resolve("out");
    try (ImageBuilder builder = builder()) {
      BuildHandle handle = builder.submit(ImageRequest.cloud().image(BASE.toUri()).series("bookworm")
          .ppas("ppa:imagebuilder-test/probe").packages(PROBE).build());
      awaitProgress("Installing packages: " + PROBE, Duration.ofMinutes(5));
      assertThat(appliancesWorkingIn(out)).as("qemu runs the appliance on our work copy").isNotEmpty();

      handle.cancel().get(1, TimeUnit.MINUTES);

      assertThat(handle.targets()).extracting(TargetStatus::state).containsExactly(TargetState.CANCELLED);
      Await.until(() -> "no qemu or virt-customize left: " + appliancesWorkingIn(out), Duration.ofSeconds(20),
          () -> appliancesWorkingIn(out).isEmpty());
    }
    try (var left = Files.list(out)) {
      assertThat(left).as("the work copy is removed").isEmpty();
    }
  }

  /** virt-customize and qemu processes whose command line names a file under {@code dir}. */
  private static List<String> appliancesWorkingIn(Path dir) {
    return ProcessHandle.allProcesses()
        .map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains(dir.toString()) && (c.contains("qemu-system") || c.contains("virt-customize")))
        .toList();
  }

  private void awaitProgress(String message, Duration timeout) {
    Await.until(() -> "progress '" + message + "':\n" + logLines(), timeout,
        () -> events.stream().anyMatch(e -> e instanceof BuildEvent.Progress p && p.message().equals(message)));
  }

  @Test
  void realQemuImgRejectsAFileThatIsNotADiskImage() throws Exception {
    Path page = Files.writeString(tmp.resolve("cloudimg.img"), "<html><body>Not Found</body></html>");
    BuildResult result;
    try (ImageBuilder builder = builder()) {
      result = builder.submit(ImageRequest.cloud().image(page.toUri()).series("jammy").build())
          .await(Duration.ofMinutes(2));
    }
    assertThat(result.targets().get(0).errorSummary()).isEqualTo("the base image " + page.toUri()
        + " is not a disk image: qemu-img sees only 35 bytes of raw data (an error page instead of the image?)");
  }

  @Test
  void realVirtCustomizeOnADiskWithoutAnOperatingSystemSaysSo() throws Exception {
    Path empty = tmp.resolve("empty.qcow2");
    run("qemu-img", "create", "-f", "qcow2", empty.toString(), "64M");
    BuildResult result;
    try (ImageBuilder builder = builder()) {
      result = builder.submit(ImageRequest.cloud().image(empty.toUri()).series("jammy").packages("hello").build())
          .await(Duration.ofMinutes(10));
    }
    assertThat(result.targets().get(0).errorSummary()).isEqualTo("virt-customize failed: the base image "
        + empty.toUri() + " holds no operating system virt-customize can find"
        + " (is it a disk image of an installed system?)");
  }

  private String logLines() {
    StringBuilder sb = new StringBuilder();
    events.stream().filter(BuildEvent.LogLine.class::isInstance)
        .forEach(e -> sb.append(((BuildEvent.LogLine) e).line()).append('\n'));
    return sb.toString();
  }

  private static String stanza(String dpkgStatus, String packageName) {
    for (String s : dpkgStatus.split("\n\n")) {
      if (s.startsWith("Package: " + packageName + "\n")) {
        return s;
      }
    }
    return "";
  }

  private static String run(String... command) throws IOException, InterruptedException {
    return runWithInput("", command);
  }

  private static String runWithInput(String input, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("LIBGUESTFS_BACKEND_SETTINGS", TCG);
    Process p = pb.start();
    try (var stdin = p.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
