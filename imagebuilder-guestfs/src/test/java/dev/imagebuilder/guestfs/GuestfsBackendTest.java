package dev.imagebuilder.guestfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.WorkDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guestfs backend through the public API, with shell scripts standing in for
 * virt-customize and qemu-img (configured by the backend's own keys).
 */
class GuestfsBackendTest {
  static final String KEY_ASC = "test-ppa-key.asc";
  static final String KEY_GPG = "test-ppa-key.gpg";

  @TempDir Path tmp;
  FakeTools tools;
  Path state;
  Path baseImage;
  Path keyFile;
  final List<BuildEvent> events = new CopyOnWriteArrayList<>();
  final Map<String, String> config = new LinkedHashMap<>();
  ImageBuilder builder;

  @BeforeEach
  void setUp() throws IOException {
    Path toolDir = Files.createDirectories(tmp.resolve("tools"));
    tools = new FakeTools(toolDir);
    state = tmp.resolve("state");
    baseImage = Files.createDirectories(tmp.resolve("images")).resolve("jammy-server-cloudimg-amd64.img");
    Files.write(baseImage, new byte[2 << 20]); // a 2 MiB "disk"
    keyFile = FakeTools.resourceFile(KEY_ASC, tmp.resolve("ppa-key.asc"));
    config.put("guestfs.virt-customize", tools.virtCustomize(FakeTools.SUCCEEDS).toString());
    config.put("guestfs.qemu-img", tools.qemuImg("qcow2").toString());
    config.put("guestfs.ppa-key-file", keyFile.toString());
  }

  @AfterEach
  void tearDown() {
    if (builder != null) {
      builder.close();
    }
  }

  ImageBuilder builder() {
    builder = ImageBuilder.newBuilder()
        // Discovered through META-INF/services, as ImageBuilder.create() finds it.
        .environment(name -> null)
        .stateDirectory(state)
        .config(config)
        .listener(events::add)
        .build();
    return builder;
  }

  CloudImageRequest.Builder request() {
    return ImageRequest.cloud().image(baseImage.toUri()).series("jammy");
  }

  @Test
  void customizesACopyWithPpaSourcesKeysAndPackages() throws Exception {
    config.put("guestfs.output-name", "custom");
    config.put("guestfs.memory", "2G");
    config.put("guestfs.backend-settings", "force_tcg");
    byte[] baseBefore = Files.readAllBytes(baseImage);

    BuildResult result = builder().submit(request()
            .ppas("ppa:deadsnakes/ppa", "team/debian/c++")
            .packages("hello", "sl=5.02-1")
            .build())
        .await(Duration.ofSeconds(30));

    assertThat(result.succeeded()).as(result.toString()).isTrue();
    TargetStatus target = result.targets().get(0);
    assertThat(target.key()).isEqualTo("custom");
    Path output = Path.of(target.outputs().get("path"));
    assertThat(output).isEqualTo(state.resolve("guestfs/images/custom.qcow2").toAbsolutePath());
    byte[] built = Files.readAllBytes(output);
    assertThat(new String(built, StandardCharsets.ISO_8859_1)).endsWith("customized");
    assertThat(target.outputs())
        .containsEntry("size", Long.toString(built.length))
        .containsEntry("sha256", sha256(built))
        .containsEntry("format", "qcow2")
        .containsEntry("base-image", baseImage.toUri().toString())
        .containsEntry("base-sha256", sha256(baseBefore))
        .containsEntry("base-checksum-source", "computed")
        .containsEntry("ppas", "ppa:deadsnakes/ppa,team/debian/c++")
        .containsEntry("packages", "hello,sl=5.02-1");
    assertThat(Files.readAllBytes(baseImage)).as("the base image is never modified").isEqualTo(baseBefore);

    List<String> args = tools.recordedArguments();
    Path disk = Path.of(args.get(3));
    assertThat(disk.getFileName().toString()).isEqualTo("disk.qcow2");
    String upload = disk.getParent().resolve("upload").toString();
    assertThat(args).containsExactly(
        "--format", "qcow2", "--add", disk.toString(),
        "--memsize", "2048",
        "--network",
        "--mkdir", "/etc/apt/keyrings",
        "--mkdir", "/etc/apt/sources.list.d",
        "--upload", upload + "/0/deadsnakes-ubuntu-ppa.gpg:/etc/apt/keyrings",
        "--upload", upload + "/1/team-debian-c__.gpg:/etc/apt/keyrings",
        "--upload", upload + "/0/deadsnakes-ubuntu-ppa-jammy.sources:/etc/apt/sources.list.d",
        "--upload", upload + "/1/team-debian-c__-jammy.sources:/etc/apt/sources.list.d",
        "--install", "hello,sl=5.02-1",
        "--run-command", "if command -v apt-get >/dev/null; then apt-get clean;"
            + " rm -rf /var/lib/apt/lists/*; mkdir -p /var/lib/apt/lists/partial; fi");
    assertThat(tools.recordedEnvironment()).contains("LIBGUESTFS_BACKEND_SETTINGS=force_tcg");
    assertThat(Files.exists(disk.getParent())).as("the work directory is removed").isFalse();

    String fingerprint = FakeTools.resourceText("test-ppa-key.fingerprint");
    assertThat(Files.readString(tools.guestFile("/etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.sources")))
        .isEqualTo("# ppa:deadsnakes/ppa, added by imagebuilder (key " + fingerprint + ")\n"
            + "Types: deb\n"
            + "URIs: https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu\n"
            + "Suites: jammy\n"
            + "Components: main\n"
            + "Signed-By: /etc/apt/keyrings/deadsnakes-ubuntu-ppa.gpg\n");
    assertThat(Files.readString(tools.guestFile("/etc/apt/sources.list.d/team-debian-c__-jammy.sources")))
        .contains("URIs: https://ppa.launchpadcontent.net/team/c++/debian\n");
    // The armored key file becomes the binary keyring gpg itself exports.
    assertThat(Files.readAllBytes(tools.guestFile("/etc/apt/keyrings/deadsnakes-ubuntu-ppa.gpg")))
        .isEqualTo(FakeTools.resource(KEY_GPG));
    assertThat(Files.getPosixFilePermissions(tools.guestFile("/etc/apt/keyrings/deadsnakes-ubuntu-ppa.gpg")))
        .extracting(Object::toString).contains("OTHERS_READ");

    assertThat(events).filteredOn(BuildEvent.Progress.class::isInstance)
        .extracting(e -> ((BuildEvent.Progress) e).message())
        .contains("Examining the guest ...", "Installing packages: hello", "Finishing off");
    List<Double> fractions = events.stream().filter(BuildEvent.Progress.class::isInstance)
        .map(e -> ((BuildEvent.Progress) e).fraction()).filter(f -> f >= 0).toList();
    assertThat(fractions).isSorted().last().isEqualTo(1.0);
    assertThat(events).filteredOn(BuildEvent.LogLine.class::isInstance)
        .extracting(e -> ((BuildEvent.LogLine) e).line())
        .contains("[  17.0] Installing packages: hello");
  }

  @Test
  void aBinaryKeyFileIsUsedAsItIs() throws Exception {
    config.put("guestfs.ppa-key-file", FakeTools.resourceFile(KEY_GPG, tmp.resolve("key.gpg")).toString());
    BuildResult result = builder().submit(request().ppas("ppa:deadsnakes/ppa").build()).await(Duration.ofSeconds(30));

    assertThat(result.succeeded()).isTrue();
    assertThat(tools.guestFile("/etc/apt/keyrings/deadsnakes-ubuntu-ppa.gpg")).hasBinaryContent(FakeTools.resource(KEY_GPG));
    assertThat(tools.guestFile("/etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.sources")).content()
        .contains("(key " + FakeTools.resourceText("test-ppa-key.fingerprint") + ")");
  }

  @Test
  void defaultOutputIsNamedAfterTheBaseImageAndTheTargetKeyIsImage() throws Exception {
    config.put("guestfs.output-directory", tmp.resolve("out").toString());
    BuildHandle handle = builder().submit(request().packages("hello").build());
    BuildResult result = handle.await(Duration.ofSeconds(30));

    TargetStatus target = result.targets().get(0);
    assertThat(target.key()).isEqualTo("image");
    assertThat(Path.of(target.outputs().get("path")))
        .isEqualTo(tmp.resolve("out/jammy-server-cloudimg-amd64-jammy-" + handle.id() + ".qcow2").toAbsolutePath())
        .exists();
    assertThat(tools.recordedArguments()).doesNotContain("--memsize", "--mkdir", "--upload")
        .containsSequence("--install", "hello", "--run-command");
    assertThat(tools.recordedEnvironment()).doesNotContain("LIBGUESTFS_BACKEND_SETTINGS");
  }

  @Test
  void rawOutputIsConvertedWithQemuImg() throws Exception {
    config.put("guestfs.output-format", "raw");
    config.put("guestfs.output-name", "plain.raw");
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    TargetStatus target = result.targets().get(0);
    assertThat(target.outputs().get("path")).endsWith("/plain.raw");
    assertThat(target.outputs()).containsEntry("format", "raw");
    assertThat(tools.recordedArguments()).containsSequence("--format", "raw");
  }

  @Test
  void verifiesTheBaseImageAgainstSha256SumsBesideIt() throws Exception {
    String sum = sha256(Files.readAllBytes(baseImage));
    Files.writeString(baseImage.resolveSibling("SHA256SUMS"),
        "0000000000000000000000000000000000000000000000000000000000000000 *other.img\n"
            + sum + " *jammy-server-cloudimg-amd64.img\n");
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    assertThat(result.succeeded()).isTrue();
    assertThat(result.targets().get(0).outputs())
        .containsEntry("base-sha256", sum)
        .hasEntrySatisfying("base-checksum-source", source ->
            assertThat(Path.of(java.net.URI.create(source))).isEqualTo(baseImage.resolveSibling("SHA256SUMS")));
  }

  @Test
  void aBaseImageThatDoesNotMatchItsSha256SumsIsNeverCustomized() throws Exception {
    String wrong = "ab".repeat(32);
    Files.writeString(baseImage.resolveSibling("SHA256SUMS"), wrong + "  jammy-server-cloudimg-amd64.img\n");
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    TargetStatus target = result.targets().get(0);
    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).contains("lists " + wrong).contains(baseImage.toString());
    assertThat(tools.ran()).isFalse();
    assertThat(target.outputs()).isEmpty();
  }

  @Test
  void aMissingBaseImageFailsTheTarget() throws Exception {
    Files.delete(baseImage);
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    assertThat(result.targets().get(0).errorSummary())
        .isEqualTo("the base image " + baseImage.toUri() + " is not a readable file");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void aSmallRawFileIsNotADiskImage() throws Exception {
    Files.writeString(baseImage, "<html>404 Not Found</html>");
    config.put("guestfs.qemu-img", tools.qemuImg("raw").toString());
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    assertThat(result.targets().get(0).errorSummary())
        .contains("is not a disk image: qemu-img sees only 26 bytes of raw data");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void aFileQemuImgCannotOpenIsNotADiskImage() throws Exception {
    config.put("guestfs.qemu-img", tools.brokenQemuImg().toString());
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    assertThat(result.targets().get(0).errorSummary())
        .startsWith("the base image " + baseImage.toUri() + " is not a disk image qemu-img can read")
        .contains("Image is not in qcow2 format");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void aBaseImageWithABackingFileIsRefused() throws Exception {
    Path qemuImg = tools.dir.resolve("qemu-img-backing");
    Files.writeString(qemuImg, "#!/bin/bash\necho '{\"format\": \"qcow2\", \"virtual-size\": 1,"
        + " \"backing-filename\": \"/etc/shadow\"}'\n");
    qemuImg.toFile().setExecutable(true);
    config.put("guestfs.qemu-img", qemuImg.toString());
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    assertThat(result.targets().get(0).errorSummary()).contains("backing file '/etc/shadow'");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void kvmFailureSuggestsTcg() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize("""
        echo '[   0.0] Examining the guest ...'
        echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x2000c04' >&2
        echo 'libguestfs: error: appliance closed the connection unexpectedly, see earlier error messages' >&2
        echo 'virt-customize: error: libguestfs error: guestfs_launch failed.' >&2
        exit 1
        """).toString());
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    TargetStatus target = result.targets().get(0);
    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary())
        .contains("could not start under KVM")
        .contains("failed to set MSR 0x10a")
        .contains("imagebuilder.guestfs.backend-settings=force_tcg")
        .contains("LIBGUESTFS_BACKEND_SETTINGS=force_tcg");
    assertThat(Files.list(state.resolve("guestfs/images"))).as("no partial output").isEmpty();
  }

  /** virt-customize's real words when the appliance dies, without LIBGUESTFS_DEBUG. */
  static final String LAUNCH_FAILED = """
      echo '[   0.0] Examining the guest ...'
      echo 'virt-customize: error: libguestfs error: guestfs_launch failed.' >&2
      echo 'This usually means the libguestfs appliance failed to start or crashed.' >&2
      exit 1
      """;

  @Test
  void applianceLaunchFailureWithoutDetailSuggestsTcgWhereKvmMayBeUsed() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize(LAUNCH_FAILED).toString());
    String summary = builder().submit(request().build()).await(Duration.ofSeconds(30)).targets().get(0).errorSummary();

    assertThat(summary).startsWith("virt-customize failed: the libguestfs appliance could not start"
        + " (virt-customize: error: libguestfs error: guestfs_launch failed.).")
        .endsWith("Run libguestfs-test-tool, or set LIBGUESTFS_DEBUG=1, to see the cause.");
    boolean kvmHere = Files.exists(Path.of("/dev/kvm"))
        && !String.valueOf(System.getenv("LIBGUESTFS_BACKEND_SETTINGS")).contains("force_tcg");
    assertThat(summary.contains("backend-settings=force_tcg")).isEqualTo(kvmHere);
  }

  @Test
  void applianceLaunchFailureUnderTcgDoesNotSuggestTcgAgain() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize(LAUNCH_FAILED).toString());
    config.put("guestfs.backend-settings", "force_tcg");
    String summary = builder().submit(request().build()).await(Duration.ofSeconds(30)).targets().get(0).errorSummary();

    assertThat(summary).contains("could not start").doesNotContain("backend-settings=force_tcg");
  }

  @Test
  void applianceThatCannotStartForOtherReasonsPointsAtTheTestTool() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize("""
        echo 'libguestfs: error: /usr/bin/supermin exited with error status 1.' >&2
        echo 'supermin: failed to find a suitable kernel (host_cpu=x86_64).' >&2
        exit 1
        """).toString());
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    assertThat(result.targets().get(0).errorSummary())
        .contains("no kernel for it").contains("linux-image-amd64");
  }

  @Test
  void imageWithoutAnOperatingSystemIsNamed() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize("""
        echo '[   0.0] Examining the guest ...'
        echo 'virt-customize: no operating systems were found in the guest image' >&2
        exit 1
        """).toString());
    BuildResult result = builder().submit(request().build()).await(Duration.ofSeconds(30));

    assertThat(result.targets().get(0).errorSummary())
        .isEqualTo("virt-customize failed: the base image " + baseImage.toUri()
            + " holds no operating system virt-customize can find (is it a disk image of an installed system?)");
  }

  @Test
  void unknownPackageIsNamed() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize("""
        echo '[  17.0] Installing packages: no-such-package'
        echo 'E: Unable to locate package no-such-package'
        echo 'virt-customize: error: apt-get install no-such-package: command exited with an error' >&2
        exit 1
        """).toString());
    BuildResult result = builder().submit(request().packages("no-such-package").build())
        .await(Duration.ofSeconds(30));

    assertThat(result.targets().get(0).errorSummary())
        .contains("cannot find package 'no-such-package'");
  }

  @Test
  void timeoutKillsTheApplianceAndFailsTheTarget() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize(FakeTools.HANGS).toString());
    config.put("guestfs.timeout", "2s");
    BuildResult result = builder().submit(request().packages("hello").build()).await(Duration.ofSeconds(30));

    TargetStatus target = result.targets().get(0);
    assertThat(target.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(target.errorSummary()).contains("timed out after PT2S").contains("imagebuilder.guestfs.timeout")
        .contains("last step: [   1.0] Installing packages: hello");
    assertGone(tools.childPid());
  }

  @Test
  void cancelKillsTheApplianceProcessTree() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize(FakeTools.HANGS).toString());
    BuildHandle handle = builder().submit(request().packages("hello").build());
    awaitProgress("Installing packages: hello");

    handle.cancel().get(20, TimeUnit.SECONDS);

    assertThatThrownBy(() -> handle.result().get(5, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class);
    assertThat(handle.targets()).extracting(TargetStatus::state).containsExactly(TargetState.CANCELLED);
    assertGone(tools.childPid());
    assertGone(Long.parseLong(Files.readString(tools.dir.resolve("pid")).strip()));
    assertThat(list(state.resolve("guestfs/images"))).as("cancel returns once the work copy is removed").isEmpty();
  }

  @Test
  void theWorkDirectoryOfABuildWhoseProcessDiedIsRemovedByTheNextBuild() throws Exception {
    Path images = Files.createDirectories(state.resolve("guestfs/images"));
    // What kill -9 leaves: a work directory whose owner (its lock) is gone, with a half-built disk.
    WorkDirectory killed = WorkDirectory.create(images, ".imagebuilder-work-", line -> { });
    Files.write(killed.path().resolve("disk.qcow2"), new byte[1 << 20]);
    killed.keep();
    Path foreign = Files.createDirectory(images.resolve(".imagebuilder-work-not-ours"));

    BuildResult result = builder().submit(request().packages("hello").build()).await(Duration.ofSeconds(30));

    assertThat(result.succeeded()).as(result.toString()).isTrue();
    assertThat(killed.path()).doesNotExist();
    assertThat(foreign).as("a directory without an owner lock is not ours to judge").exists();
    assertThat(events).anyMatch(e -> e.toString().contains("removing " + killed.path()));
  }

  @Test
  void closingTheBuilderStopsALocalBuildRemovesItsWorkFilesAndSaysItStoppedWithTheProcess() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize(FakeTools.HANGS).toString());
    ImageBuilder b = builder();
    BuildHandle handle = b.submit(request().packages("hello").build());
    awaitProgress("Installing packages: hello");
    assertThat(b.runsInProcess(handle)).isTrue();
    assertThat(list(state.resolve("guestfs/images"))).as("a work copy while it runs").isNotEmpty();

    b.close(); // Ctrl-C, --timeout, or a worker stopping: the process takes its builds down

    assertThatThrownBy(() -> handle.result().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ImageBuildException.class)
        .hasMessageContaining("ran in this process and stopped with it").hasMessageContaining("build it again")
        .hasMessageNotContaining("go on");
    assertGone(tools.childPid());
    assertThat(list(state.resolve("guestfs/images"))).as("close() returns once the work copy is removed").isEmpty();
  }

  @Test
  void retryBuildsAFailedTargetAgain() throws Exception {
    // Fails on the first run, succeeds on the next: the marker file remembers.
    config.put("guestfs.virt-customize", tools.virtCustomize("""
        if [ ! -e "$dir/failed-once" ]; then touch "$dir/failed-once"; echo 'E: Unable to locate package hello'; exit 1; fi
        """ + FakeTools.SUCCEEDS).toString());
    BuildHandle first = builder().submit(request().packages("hello").build());
    assertThat(first.await(Duration.ofSeconds(30)).succeeded()).isFalse();

    BuildResult second = first.retry().await(Duration.ofSeconds(30));

    assertThat(second.succeeded()).isTrue();
    assertThat(second.targets().get(0).attempt()).isEqualTo(2);
    assertThat(Path.of(second.targets().get(0).outputs().get("path"))).exists();
  }

  @Test
  void resumeReportsAFinishedImageWithoutBuildingAgain() throws Exception {
    BuildHandle handle = builder().submit(request().build());
    BuildResult done = handle.await(Duration.ofSeconds(30));
    Ticket ticket = handle.ticket();
    builder.close();
    Files.delete(tools.dir.resolve("args"));

    BuildResult resumed = builder().resume(Ticket.parse(ticket.toString())).await(Duration.ofSeconds(30));

    assertThat(resumed.succeeded()).isTrue();
    assertThat(resumed.targets().get(0).outputs()).isEqualTo(done.targets().get(0).outputs());
    assertThat(tools.ran()).as("resume runs nothing").isFalse();
  }

  @Test
  void resumeOfAnInterruptedBuildReportsItFailedSoRetryCanBuildIt() throws Exception {
    config.put("guestfs.virt-customize", tools.virtCustomize(FakeTools.HANGS).toString());
    BuildHandle handle = builder().submit(request().packages("hello").build());
    awaitProgress("Installing packages: hello");
    Ticket ticket = handle.ticket();
    builder.close(); // the process that ran the build ends

    BuildResult resumed = builder().resume(ticket).await(Duration.ofSeconds(30));

    assertThat(resumed.targets().get(0).state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(resumed.targets().get(0).errorSummary()).contains("retry to build it again");
  }

  @Test
  void ticketsCarryNoKeyMaterial() throws Exception {
    BuildHandle handle = builder().submit(request().ppas("ppa:deadsnakes/ppa").build());
    handle.await(Duration.ofSeconds(30));
    String ticket = handle.ticket().toString();
    assertThat(ticket).doesNotContain("BEGIN PGP").contains("\"sha256\"");
  }

  @Test
  void planHasOneTargetAndNoSideEffects() {
    config.put("guestfs.output-name", "custom");
    Plan plan = builder().plan(request().ppas("ppa:deadsnakes/ppa").packages("hello").build());

    assertThat(plan.backend()).isEqualTo("guestfs");
    assertThat(plan.targets()).singleElement().satisfies(t -> {
      assertThat(t.key()).isEqualTo("custom");
      assertThat(t.labels()).containsEntry("series", "jammy").containsEntry("format", "qcow2");
      assertThat(t.description()).contains("1 PPA(s) and 1 package(s)");
    });
    assertThat(state.resolve("guestfs/images")).doesNotExist();
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void badConfigurationIsRejectedAtSubmitNamingKeyAndValue() {
    assertRejected("output-format", "vmdk", "imagebuilder.guestfs.output-format: 'vmdk' is not an output format");
    assertRejected("memory", "12", "imagebuilder.guestfs.memory: '12' must be between 256M and 1024G");
    assertRejected("memory", "lots", "imagebuilder.guestfs.memory: 'lots' is not an amount of memory");
    assertRejected("timeout", "soon", "imagebuilder.guestfs.timeout: 'soon' is not a duration");
    assertRejected("timeout", "0s", "imagebuilder.guestfs.timeout: 'PT0S' must be positive");
    assertRejected("output-name", "../escape", "imagebuilder.guestfs.output-name: '../escape' is not a plain file name");
    assertRejected("ppa-url-template", "https://mirror/{owner}/{bogus}",
        "imagebuilder.guestfs.ppa-url-template: 'https://mirror/{owner}/{bogus}' has an unknown placeholder {bogus}");
    assertRejected("ppa-url-template", "ftp://mirror/{owner}", "must be an https, http or file URL template");
    assertRejected("keyserver", "hkp://keys", "imagebuilder.guestfs.keyserver: 'hkp://keys' is not an http or https URL");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void ppasNeedASeriesWhoseCodenameIsKnown() {
    ImageBuilder b = builder();
    assertThatThrownBy(() -> b.submit(request().series("31.04").ppas("ppa:deadsnakes/ppa").build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("series: '31.04' has no known codename, and PPAs are added by codename: give the codename instead");
    assertThat(tools.ran()).isFalse();
  }

  @Test
  void aKeyFileThatIsNoPublicKeyIsRejectedAtSubmit() throws Exception {
    Path secret = FakeTools.resourceFile("test-secret-key.asc", tmp.resolve("secret.asc"));
    assertRejected("ppa-key-file", secret.toString(), "holds a secret key");
    Path text = Files.writeString(tmp.resolve("text.asc"), "not a key");
    assertRejected("ppa-key-file", text.toString(), "is not an OpenPGP public key");
    assertRejected("ppa-key-file", tmp.resolve("absent.asc").toString(),
        "imagebuilder.guestfs.ppa-key-file: '" + tmp.resolve("absent.asc") + "' does not exist");
  }

  @Test
  void missingVirtCustomizeMakesTheBackendUnavailableAndSaysWhatToInstall() {
    config.put("guestfs.virt-customize", "no-such-virt-customize-" + System.nanoTime());
    assertThatThrownBy(() -> builder().submit(request().build()))
        .isInstanceOf(NoBackendAvailableException.class)
        .hasMessageContaining("guestfs: virt-customize was not found on PATH")
        .hasMessageContaining("libguestfs-tools");

    GuestfsBackendProvider provider = new GuestfsBackendProvider();
    assertThat(provider.supports(CloudImageRequest.class)).isTrue();
    assertThat(provider.supports(dev.imagebuilder.api.OciImageRequest.class)).isFalse();
  }

  @Test
  void aConfiguredPathThatIsNotExecutableIsNamed() throws Exception {
    Path notExecutable = Files.writeString(tmp.resolve("virt-customize"), "#!/bin/sh\n");
    config.put("guestfs.virt-customize", notExecutable.toString());
    assertThatThrownBy(() -> builder().submit(request().build()))
        .isInstanceOf(NoBackendAvailableException.class)
        .hasMessageContaining("virt-customize is not an executable file at '" + notExecutable + "'");
  }

  private void assertRejected(String key, String value, String message) {
    config.put("guestfs." + key, value);
    try {
      ImageBuilder b = builder();
      assertThatThrownBy(() -> b.submit(request().ppas("ppa:deadsnakes/ppa").build()))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining(message);
    } finally {
      builder.close();
      builder = null;
      config.remove("guestfs." + key);
    }
  }

  private void awaitProgress(String message) {
    dev.imagebuilder.testkit.Await.until(() -> "progress '" + message + "' in " + events,
        Duration.ofSeconds(20),
        () -> events.stream().anyMatch(e -> e instanceof BuildEvent.Progress p && p.message().equals(message)));
  }

  static void assertGone(long pid) {
    ProcessHandle.of(pid).ifPresent(p -> assertThat(p.onExit()).as("process %d ends", pid)
        .succeedsWithin(Duration.ofSeconds(10)));
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
