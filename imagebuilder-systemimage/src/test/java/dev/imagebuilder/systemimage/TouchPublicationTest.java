package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.systemimage.support.Trees;
import dev.imagebuilder.testkit.Await;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through {@link ImageBuilder}: a remote channel on {@link FakeSystemImageServer},
 * published into a temporary directory, checked with gpgv and tar as a device's tools would.
 */
class TouchPublicationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path work;
  Path publish;
  FakeSystemImageServer remote;
  Map<String, String> config;
  final List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws Exception {
    remote = FakeSystemImageServer.builder().devices("FP4", "bacon").build().start();
    publish = work.resolve("www");
    config = new java.util.LinkedHashMap<>(TouchFixture.config(work, publish));
  }

  @AfterEach
  void tearDown() {
    remote.close();
  }

  private TouchImageRequest request(String... devices) {
    return ImageRequest.touch().systemImageServer(remote.baseUri()).channel(remote.channel())
        .devices(devices).series("focal").ppas("ppa:team/tools").packages("hello", "foo-utils")
        .targetChannel("ci-ticket-42").build();
  }

  private BuildResult build(TouchImageRequest request) {
    try (ImageBuilder b = TouchFixture.builder(work, config, events::add)) {
      return b.submit(request).await(WAIT);
    }
  }

  @Test
  void publishesACompleteSignedChannelForEveryDeviceOfTheRemoteChannel() throws Exception {
    BuildResult result = build(request());

    assertThat(result.succeeded()).as("%s", result.targets()).isTrue();
    assertThat(result.targets()).extracting(TargetStatus::key).containsExactlyInAnyOrder("FP4", "bacon");
    for (TargetStatus t : result.targets()) {
      assertThat(t.outputs()).containsEntry("channel", "ci-ticket-42").containsEntry("version", "1")
          .containsEntry("device", t.key())
          .containsEntry("index", publish.resolve("ci-ticket-42/" + t.key() + "/index.json")
              .toAbsolutePath().toString());
    }
    Path keyring = signingKeyring();
    JsonNode channels = JSON.readTree(publish.resolve("channels.json").toFile());
    Trees.gpgv(keyring, publish.resolve("channels.json"));
    for (String device : List.of("FP4", "bacon")) {
      assertThat(channels.at("/ci-ticket-42/devices/" + device + "/index").asText())
          .isEqualTo("/ci-ticket-42/" + device + "/index.json");
      JsonNode index = verifiedIndex(keyring, device);
      assertThat(index.at("/global/generated_at").asText()).contains("UTC");
      JsonNode image = index.get("images").get(0);
      assertThat(image.get("type").asText()).isEqualTo("full");
      assertThat(image.get("version").asInt()).isEqualTo(1);
      List<String> prefixes = new ArrayList<>();
      for (JsonNode f : image.get("files")) {
        String name = f.get("path").asText().substring(f.get("path").asText().lastIndexOf('/') + 1);
        prefixes.add(name.substring(0, name.lastIndexOf('-')));
      }
      assertThat(prefixes).containsExactly("ubports", "device", "keyring", "version");

      // The device ("android") tarball is the remote's, byte for byte.
      byte[] remoteDevice = remoteFile(device, "device");
      assertThat(Trees.sha256(file(image, "device"))).isEqualTo(Trees.sha256(remoteDevice));

      // The rootfs is the remote rootfs, customized, in the system/ layout.
      Path rootfs = file(image, "ubports");
      assertThat(Trees.tarList(rootfs)).contains("system/etc/os-release", "system/usr/bin/fake-shell",
          "system/etc/imagebuilder-marker",
          "system/etc/apt/sources.list.d/team-ubuntu-tools-focal.sources",
          "system/etc/apt/keyrings/team-ubuntu-tools.gpg");
      assertThat(Trees.tarMember(rootfs, "system/var/lib/dpkg/status"))
          .contains("Package: base-files", "Package: hello", "Package: foo-utils");
      assertThat(Trees.tarMember(rootfs, "system/etc/imagebuilder-marker"))
          .contains("series=focal", "ppas=ppa:team/tools",
              "URIs: http://127.0.0.1:9/ppa/team/tools/ubuntu", "Suites: focal",
              "Signed-By: /etc/apt/keyrings/team-ubuntu-tools.gpg");
      assertThat(Trees.run(List.of("tar", "-tvJf", rootfs.toString())))
          .contains("system/bin -> usr/bin");

      // Our archive-master, where the device looks for it.
      assertThat(Trees.tarList(file(image, "keyring")))
          .contains("system/usr/share/system-image/archive-master.tar.xz");
      String channelIni = Trees.tarMember(file(image, "version"), "system/etc/system-image/channel.ini");
      assertThat(channelIni).contains("[service]", "base: si.example.test", "channel: ci-ticket-42",
          "device: " + device, "build_number: 1", "http_port: 80", "https_port: 443");
      assertThat(Trees.tarMember(file(image, "version"), "system/etc/ubuntu-build")).isEqualTo("1\n");
    }
    for (String k : List.of("archive-master", "image-master", "image-signing")) {
      assertThat(publish.resolve("gpg/" + k + ".tar.xz")).isRegularFile();
      assertThat(publish.resolve("gpg/" + k + ".tar.xz.asc")).isRegularFile();
    }
    assertThat(events).anyMatch(e -> e instanceof BuildEvent.LogLine l && l.line().contains("installed hello"));
    // The unpacked and repacked rootfs are gone; only the content-addressed cache stays.
    try (var left = Files.walk(work.resolve("work"))) {
      assertThat(left.filter(Files::isRegularFile)).isEmpty();
    }
    assertThat(events).anyMatch(e -> e instanceof BuildEvent.Progress p && p.fraction() > 0 && p.fraction() < 1);
  }

  @Test
  void aSecondPublicationAddsVersionTwoKeepsVersionOneAndFetchesNothingTwice() throws Exception {
    assertThat(build(request("FP4")).succeeded()).isTrue();
    Map<String, String> first = Trees.snapshot(publish);

    BuildResult second = build(request("FP4"));

    assertThat(second.succeeded()).as("%s", second.targets()).isTrue();
    assertThat(second.targets().get(0).outputs()).containsEntry("version", "2");
    JsonNode index = verifiedIndex(signingKeyring(), "FP4");
    assertThat(index.get("images")).extracting(i -> i.get("type").asText() + " " + i.get("version").asInt()
        + (i.has("base") ? " from " + i.get("base").asInt() : "")).containsExactly("full 1", "full 2", "delta 2 from 1");
    for (JsonNode image : index.get("images")) {
      for (JsonNode f : image.get("files")) {
        Path p = publish.resolve(f.get("path").asText().substring(1));
        assertThat(p).isRegularFile();
        assertThat(Trees.sha256(p)).isEqualTo(f.get("checksum").asText());
      }
    }
    // Every file of version 1 is still there, unchanged, except the two documents that grew.
    Map<String, String> after = Trees.snapshot(publish);
    first.forEach((path, sha) -> {
      if (!path.endsWith("index.json") && !path.endsWith("index.json.asc")
          && !path.startsWith("channels.json")) {
        assertThat(after).containsEntry(path, sha);
      }
    });
    assertThat(remote.requestCount(remotePath("FP4", "device"))).isEqualTo(1);
    assertThat(remote.requestCount(remote.rootfsPath("FP4"))).isEqualTo(1);
  }

  @Test
  void aCorruptRemoteFileAbortsAndPublishesNothing() throws Exception {
    assertThat(build(request("FP4")).succeeded()).isTrue();
    Map<String, String> before = Trees.snapshot(publish);
    config.put("systemimage.cache-directory", work.resolve("cache2").toString());
    remote.fail("device", FakeSystemImageServer.Fault.CHECKSUM_MISMATCH);

    BuildResult result = build(request("FP4"));

    TargetStatus t = result.targets().get(0);
    assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(t.errorSummary()).containsIgnoringCase("sha256");
    assertThat(Trees.snapshot(publish)).isEqualTo(before);
    // The bad bytes never entered the cache under the digest they do not have.
    assertThat(work.resolve("cache2").resolve(remoteSha("FP4", "device"))).doesNotExist();
  }

  @Test
  void aTruncatedOrMissingRemoteFileAbortsAndPublishesNothing() throws Exception {
    remote.fail("device", FakeSystemImageServer.Fault.TRUNCATED);
    BuildResult truncated = build(request("FP4"));
    assertThat(truncated.targets().get(0).state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(Trees.snapshot(publish)).isEmpty();

    // The rootfs came through whole and is cached: a fresh cache makes the 404 be seen.
    config.put("systemimage.cache-directory", work.resolve("cache2").toString());
    remote.clearFaults().fail("ubports", FakeSystemImageServer.Fault.NOT_FOUND);
    BuildResult missing = build(request("FP4"));
    assertThat(missing.targets().get(0).state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(missing.targets().get(0).errorSummary()).contains("404");
    assertThat(Trees.snapshot(publish)).isEmpty();
  }

  @Test
  void hostilePathsInTheRemoteIndexAreRejectedNamingThePath() throws Exception {
    for (String hostile : List.of("/pool/../../../etc/passwd", "/etc/../../x.tar.xz",
        "pool/relative.tar.xz", "/pool/a%2f..%2fb.tar.xz", "/pool//double.tar.xz")) {
      try (FakeSystemImageServer evil = FakeSystemImageServer.builder().devices("FP4").build()
          .hostilePath("FP4", "device", hostile).start()) {
        TouchImageRequest r = ImageRequest.touch().systemImageServer(evil.baseUri())
            .channel(evil.channel()).series("focal").targetChannel("evil").build();
        BuildResult result;
        try (ImageBuilder b = TouchFixture.builder(work, config)) {
          result = b.submit(r).await(WAIT);
        }
        TargetStatus t = result.targets().get(0);
        assertThat(t.state()).as(hostile).isEqualTo(TargetState.FAILED_TO_BUILD);
        assertThat(t.errorSummary()).as(hostile).contains(hostile);
        assertThat(Trees.snapshot(publish)).as(hostile).isEmpty();
        assertThat(work.resolve("etc")).doesNotExist();
      }
    }
  }

  @Test
  void aFailingCustomizerLeavesThePublishedTreeAsItWas() throws Exception {
    assertThat(build(request("FP4")).succeeded()).isTrue();
    Map<String, String> before = Trees.snapshot(publish);
    config.put("systemimage.customizer-command",
        TouchFixture.customizerScript(work, 3) + " {rootfs} {series} {ppas} {packages}");

    BuildResult result = build(request("FP4"));

    TargetStatus t = result.targets().get(0);
    assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(t.errorSummary()).contains("exited with status 3", "Unable to locate package");
    assertThat(Trees.snapshot(publish)).isEqualTo(before);
  }

  @Test
  void remoteSignaturesAreVerifiedWhenAKeyringIsConfigured() throws Exception {
    Path good = work.resolve("remote-signing.asc");
    Files.writeString(good, remote.signingPublicKey());
    config.put("systemimage.keyring", good.toString());
    BuildResult ok = build(request("FP4"));
    assertThat(ok.succeeded()).as("%s", ok.targets()).isTrue();
    assertThat(events).anyMatch(e -> e instanceof BuildEvent.LogLine l
        && l.line().contains("signature of /pool/device-") && l.line().contains("verified"));

    // A keyring that does not hold the remote's key: nothing is trusted, nothing published.
    Map<String, String> before = Trees.snapshot(publish);
    config.put("systemimage.keyring", TouchFixture.keys().resolve("public/image-signing.asc").toString());
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      assertThatThrownBy(() -> b.submit(request()).await(WAIT))
          .hasMessageContaining("channels.json").hasMessageContaining("does not trust");
    }
    BuildResult named = build(request("FP4"));
    assertThat(named.targets().get(0).state()).isEqualTo(TargetState.FAILED_TO_BUILD);
    assertThat(named.targets().get(0).errorSummary()).contains("does not trust");
    assertThat(Trees.snapshot(publish)).isEqualTo(before);
  }

  @Test
  void missingOrBadConfigurationIsRejectedAtSubmitNamingTheKey() throws Exception {
    config.remove("systemimage.keys-directory");
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      assertThatThrownBy(() -> b.submit(request()))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("imagebuilder.systemimage.signing-key");
    }
    config.put("systemimage.keys-directory", TouchFixture.keys().toString());
    config.put("systemimage.signing-key-passphrase", "not-the-passphrase");
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      assertThatThrownBy(() -> b.submit(request()))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("cannot unlock").hasMessageNotContaining("not-the-passphrase");
    }
    config.put("systemimage.signing-key-passphrase", "test passphrase");
    config.put("systemimage.customizer", "magic");
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      assertThatThrownBy(() -> b.submit(request()))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("imagebuilder.systemimage.customizer").hasMessageContaining("'magic'");
    }
    assertThat(Trees.snapshot(publish)).isEmpty();
  }

  @Test
  void unknownDevicesAndChannelsFailNamingThem() throws Exception {
    BuildResult result = build(request("FP4", "nosuchphone"));
    assertThat(result.targets()).filteredOn(t -> t.key().equals("nosuchphone")).singleElement()
        .satisfies(t -> {
          assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD);
          assertThat(t.errorSummary()).contains("'nosuchphone'", "FP4", "bacon");
        });
    assertThat(result.targets()).filteredOn(t -> t.key().equals("FP4")).singleElement()
        .satisfies(t -> assertThat(t.state()).as("%s", t).isEqualTo(TargetState.SUCCEEDED));

    TouchImageRequest badChannel = request().toBuilder().channel("no/such/channel").devices().build();
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      assertThatThrownBy(() -> b.submit(badChannel).await(WAIT))
          .hasMessageContaining("'no/such/channel'").hasMessageContaining(remote.channel());
    }
  }

  @Test
  void cancellingDuringASlowMirrorPublishesNothing() throws Exception {
    remote.slowBytesPerSecond(4096).fail("device", FakeSystemImageServer.Fault.SLOW);
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      var handle = b.submit(request("FP4"));
      String device = remotePath("FP4", "device");
      Await.until("the slow device tarball asked for", Duration.ofSeconds(30), () -> remote.requestCount(device) > 0);
      handle.cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(handle.targets()).as("%s", handle.targets()).extracting(TargetStatus::state)
          .containsOnly(TargetState.CANCELLED);
    }
    assertThat(Trees.snapshot(publish)).isEmpty();
  }

  @Test
  void theSigningKeyCanComeFromTheEnvironmentAsArmouredText() throws Exception {
    config.remove("systemimage.keys-directory");
    config.remove("systemimage.signing-key-passphrase");
    String armoured = Files.readString(TouchFixture.keys().resolve("secret/image-signing.asc"));
    Map<String, String> env = Map.of("IMAGEBUILDER_SYSTEMIMAGE_SIGNING_KEY", armoured,
        "IMAGEBUILDER_SYSTEMIMAGE_SIGNING_KEY_PASSPHRASE", "test passphrase");
    BuildResult result;
    try (ImageBuilder b = TouchFixture.builderWithEnvironment(work, config, env::get)) {
      result = b.submit(request("FP4")).await(WAIT);
    }
    assertThat(result.succeeded()).as("%s", result.targets()).isTrue();
    Path keyring = work.resolve("signing.gpg");
    Trees.run(List.of("gpg", "--batch", "--no-default-keyring", "--homedir", work.toString(),
        "--keyring", keyring.toString(), "--import",
        TouchFixture.keys().resolve("public/image-signing.asc").toString()));
    Trees.gpgv(keyring, publish.resolve("ci-ticket-42/FP4/index.json"));
  }

  @Test
  void planResolvesTheDevicesOfTheRemoteChannelWithoutSideEffects() throws Exception {
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      var plan = b.plan(request());
      assertThat(plan.backend()).isEqualTo("systemimage");
      assertThat(plan.targets()).extracting(t -> t.key()).containsExactlyInAnyOrder("FP4", "bacon");
      assertThat(plan.targets().get(0).labels()).containsEntry("channel", "ci-ticket-42");
      assertThat(plan.notes()).anyMatch(n -> n.contains("remote signatures will not be verified"));
    }
    assertThat(Trees.snapshot(publish)).isEmpty();
    assertThat(remote.requestCount(remote.rootfsPath("FP4"))).isZero();
  }

  @Test
  void cancellingDuringCustomizationKillsTheCustomizerAndPublishesNothing() throws Exception {
    Path pidFile = work.resolve("customizer.pid");
    Path script = work.resolve("slow.sh");
    Files.writeString(script, "#!/bin/sh\necho $$ > " + pidFile + "\nexec sleep 300\n");
    Files.setAttribute(script, "unix:mode", 0755);
    config.put("systemimage.customizer-command", script + " {rootfs}");
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      var handle = b.submit(request("FP4"));
      Await.until("the customizer's pid file", Duration.ofSeconds(60),
          () -> pidFile.toFile().length() > 0);
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      ProcessHandle customizer = ProcessHandle.of(pid).orElseThrow();
      assertThat(customizer.isAlive()).isTrue();
      handle.cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(handle.targets()).extracting(TargetStatus::state).containsOnly(TargetState.CANCELLED);
      assertThat(customizer.onExit()).as("the customizer process was killed")
          .succeedsWithin(Duration.ofSeconds(10));
    }
    assertThat(Trees.snapshot(publish)).isEmpty();
  }

  @Test
  void withoutATargetChannelTheNameIsDerivedFromTheRequest() throws Exception {
    TouchImageRequest r = request("FP4").toBuilder().targetChannel(null).build();
    BuildResult a = build(r);
    String channel = a.targets().get(0).outputs().get("channel");
    assertThat(channel).matches(java.util.regex.Pattern.quote(remote.channel()) + "-custom-[0-9a-f]{8}");
    BuildResult same = build(r);
    assertThat(same.targets().get(0).outputs()).containsEntry("channel", channel).containsEntry("version", "2");
    BuildResult other = build(r.toBuilder().packages("hello", "vim").build());
    assertThat(other.targets().get(0).outputs().get("channel")).isNotEqualTo(channel);
  }

  // --- helpers ---

  private Path signingKeyring() throws Exception {
    Path dir = Files.createTempDirectory(work, "keyring");
    Trees.run(List.of("tar", "-xJf", publish.resolve("gpg/image-signing.tar.xz").toString(),
        "-C", dir.toString()));
    assertThat(JSON.readTree(dir.resolve("keyring.json").toFile()).get("type").asText())
        .isEqualTo("image-signing");
    return dir.resolve("keyring.gpg");
  }

  /** Reads a device index, checking its signature and every file it lists. */
  private JsonNode verifiedIndex(Path keyring, String device) throws Exception {
    Path indexFile = publish.resolve("ci-ticket-42/" + device + "/index.json");
    Trees.gpgv(keyring, indexFile);
    JsonNode index = JSON.readTree(indexFile.toFile());
    for (JsonNode image : index.get("images")) {
      for (JsonNode f : image.get("files")) {
        Path p = publish.resolve(f.get("path").asText().substring(1));
        assertThat(f.get("signature").asText()).isEqualTo(f.get("path").asText() + ".asc");
        assertThat(Files.size(p)).isEqualTo(f.get("size").asLong());
        assertThat(Trees.sha256(p)).isEqualTo(f.get("checksum").asText());
        Trees.gpgv(keyring, p);
      }
    }
    return index;
  }

  private Path file(JsonNode image, String prefix) {
    for (JsonNode f : image.get("files")) {
      String path = f.get("path").asText();
      if (path.substring(path.lastIndexOf('/') + 1).startsWith(prefix + "-")) {
        return publish.resolve(path.substring(1));
      }
    }
    throw new AssertionError("no " + prefix + " file in " + image);
  }

  private String remotePath(String device, String prefix) throws Exception {
    JsonNode index = JSON.readTree(remote.file("/" + remote.channel() + "/" + device + "/index.json"));
    JsonNode latest = null;
    for (JsonNode i : index.get("images")) {
      if (i.get("type").asText().equals("full") && i.get("version").asInt() == remote.latestVersion()) {
        latest = i;
      }
    }
    for (JsonNode f : latest.get("files")) {
      String path = f.get("path").asText();
      if (path.substring(path.lastIndexOf('/') + 1).startsWith(prefix + "-")) {
        return path;
      }
    }
    throw new AssertionError("no " + prefix + " in the remote index");
  }

  private byte[] remoteFile(String device, String prefix) throws Exception {
    return remote.file(remotePath(device, prefix));
  }

  private String remoteSha(String device, String prefix) throws Exception {
    return Trees.sha256(remoteFile(device, prefix));
  }
}
