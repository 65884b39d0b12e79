package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.support.StaticServer;
import dev.imagebuilder.systemimage.support.SystemTests;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.systemimage.support.Trees;
import dev.imagebuilder.systemimage.support.UpgradeClient;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel over several publications, seen from the outside: served by a real web server, read
 * by a client that follows the protocol's upgrade path, with deltas and expiry.
 */
class TouchChannelLifecycleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path work;
  Path publish;
  FakeSystemImageServer remote;
  Map<String, String> config;

  @BeforeEach
  void setUp() throws Exception {
    // The web server runs as another user: it must be able to reach the tree.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    remote = FakeSystemImageServer.builder().devices("FP4", "bacon").build().start();
    publish = work.resolve("www");
    config = new LinkedHashMap<>(TouchFixture.config(work, publish));
  }

  @AfterEach
  void tearDown() {
    remote.close();
  }

  private TouchImageRequest request(String device, String... packages) {
    return ImageRequest.touch().systemImageServer(remote.baseUri()).channel(remote.channel())
        .devices(device).series("focal").packages(packages).targetChannel("ci/lifecycle").build();
  }

  private BuildResult build(TouchImageRequest request) {
    try (ImageBuilder b = TouchFixture.builder(work, config)) {
      BuildResult r = b.submit(request).await(WAIT);
      assertThat(r.succeeded()).as("%s", r.targets()).isTrue();
      return r;
    }
  }

  @Test
  void everyPublishedFileIsWorldReadableAndSharesNoInodeWithTheCache() throws Exception {
    build(request("FP4", "hello"));
    build(request("FP4", "hello", "vim"));

    Set<Object> cacheInodes = new HashSet<>();
    try (Stream<Path> s = Files.walk(work.resolve("cache"))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        cacheInodes.add(Files.getAttribute(p, "unix:ino"));
      }
    }
    assertThat(cacheInodes).isNotEmpty();
    for (Path p : publishedFiles(true)) {
      String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
      if (Files.isDirectory(p)) {
        assertThat(mode).as("%s", p).isEqualTo("rwxr-xr-x");
      } else {
        assertThat(mode).as("%s", p).isEqualTo("rw-r--r--");
        assertThat(Files.getAttribute(p, "unix:ino")).as("%s shares an inode with the cache", p)
            .isNotIn(cacheInodes);
      }
    }
  }

  @Test
  void aWebServerRunningAsAnotherUserServesEveryPublishedFile() throws Exception {
    SystemTests.require(StaticServer.canRunUnprivileged(), "serving as user nobody needs root,"
        + " /usr/sbin/runuser and /usr/bin/python3");
    build(request("FP4", "hello"));
    build(request("bacon", "hello"));
    build(request("FP4", "hello", "vim"));

    List<Path> files = publishedFiles(false);
    assertThat(files).anyMatch(p -> p.toString().endsWith(".asc"))
        .anyMatch(p -> p.toString().contains("/gpg/")).anyMatch(p -> p.toString().contains(".delta-"));
    try (StaticServer server = StaticServer.serve(publish)) {
      assertThat(server.unprivileged()).isTrue();
      List<String> refused = new ArrayList<>();
      for (Path f : files) {
        HttpResponse<byte[]> r = server.get("/" + publish.relativize(f));
        if (r.statusCode() != 200) {
          refused.add(r.statusCode() + " " + publish.relativize(f));
        } else {
          assertThat(Trees.sha256(r.body())).as("%s", f).isEqualTo(Trees.sha256(f));
        }
      }
      assertThat(refused).as("files the web server could not read").isEmpty();
    }
  }

  @Test
  void aDeviceAtVersionOneUpgradesToVersionTwoThroughTheDelta() throws Exception {
    build(request("FP4", "hello", "foo-utils"));
    try (StaticServer server = StaticServer.serve(publish)) {
      UpgradeClient device = new UpgradeClient(server, archiveMaster(), work.resolve("device"));
      Path system = work.resolve("device-root");
      List<UpgradeClient.Applied> installed = device.apply(device.path("ci/lifecycle", "FP4", 0), system);
      assertThat(installed).extracting(UpgradeClient.Applied::type, UpgradeClient.Applied::version)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("full", 1));

      build(request("FP4", "hello", "vim"));

      List<JsonNode> path = device.path("ci/lifecycle", "FP4", 1);
      List<UpgradeClient.Applied> upgrade = device.apply(path, system);
      assertThat(upgrade).singleElement().satisfies(a -> {
        assertThat(a.type()).isEqualTo("delta");
        assertThat(a.base()).isEqualTo(1);
        assertThat(a.version()).isEqualTo(2);
        assertThat(a.files()).anyMatch(f -> f.matches("/pool/ubports-[0-9a-f]{64}\\.delta-ubports-[0-9a-f]{64}\\.tar\\.xz"))
            .anyMatch(f -> f.endsWith("/version-2.tar.xz"))
            // Unchanged, but always carried, as the reference's importer does.
            .anyMatch(f -> f.startsWith("/pool/keyring-"))
            // The device tarball did not change: not in the delta at all.
            .noneMatch(f -> f.contains("/device-"));
      });
      Path rootfsDelta = publish.resolve(upgrade.get(0).files().stream()
          .filter(f -> f.contains(".delta-")).findFirst().orElseThrow().substring(1));
      assertThat(Trees.tarMember(rootfsDelta, "removed"))
          .contains("system/etc/imagebuilder-pkg-foo-utils\n", "system/var/lib/dpkg/status\n")
          .doesNotContain("system/usr/bin/fake-shell");
      assertThat(Trees.tarList(rootfsDelta)).startsWith("removed")
          .contains("system/etc/imagebuilder-pkg-vim", "system/var/lib/dpkg/status")
          .doesNotContain("system/usr/bin/fake-shell", "system/etc/imagebuilder-pkg-foo-utils");

      // A device installed fresh at version 2 has exactly the same system.
      Path fresh = work.resolve("fresh-root");
      UpgradeClient other = new UpgradeClient(server, archiveMaster(), work.resolve("fresh"));
      assertThat(other.apply(other.path("ci/lifecycle", "FP4", 0), fresh))
          .extracting(UpgradeClient.Applied::type, UpgradeClient.Applied::version)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("full", 2));
      assertThat(UpgradeClient.describe(system)).isEqualTo(UpgradeClient.describe(fresh))
          .containsKey("system/etc/imagebuilder-pkg-vim").doesNotContainKey("system/etc/imagebuilder-pkg-foo-utils");
    }
  }

  @Test
  void configuredDeltaBasesGetTheirOwnDelta() throws Exception {
    config.put("systemimage.delta-bases", "1");
    build(request("FP4", "hello"));
    build(request("FP4", "hello", "vim"));
    build(request("FP4", "vim"));

    assertThat(images("FP4")).containsExactly("full 1", "full 2", "delta 2 from 1", "full 3",
        "delta 3 from 2", "delta 3 from 1");
    try (StaticServer server = StaticServer.serve(publish)) {
      UpgradeClient device = new UpgradeClient(server, archiveMaster(), work.resolve("device"));
      Path system = work.resolve("device-root");
      JsonNode index = JSON.readTree(publish.resolve("ci/lifecycle/FP4/index.json").toFile());
      device.apply(List.of(index.get("images").get(0)), system); // full 1
      List<UpgradeClient.Applied> upgrade = device.apply(device.path("ci/lifecycle", "FP4", 1), system);
      assertThat(upgrade).extracting(UpgradeClient.Applied::version).endsWith(3);
      Path fresh = work.resolve("fresh-root");
      device.apply(device.path("ci/lifecycle", "FP4", 0), fresh);
      assertThat(UpgradeClient.describe(system)).isEqualTo(UpgradeClient.describe(fresh));
    }
  }

  @Test
  void expiryKeepsTheConfiguredFullImagesAndRemovesOnlyFilesNoImageRefersTo() throws Exception {
    config.put("systemimage.full-images", "2");
    build(request("bacon", "pkg-a"));
    String rootfsA = rootfsPath("bacon", 1);
    build(request("FP4", "pkg-a"));
    build(request("FP4", "pkg-b"));
    String rootfsB = rootfsPath("FP4", 2);
    build(request("FP4", "pkg-c"));

    assertThat(images("FP4")).containsExactly("full 2", "full 3", "delta 3 from 2");
    assertThat(publish.resolve("ci/lifecycle/FP4/version-1.tar.xz")).doesNotExist();
    assertThat(publish.resolve("ci/lifecycle/FP4/version-1.tar.xz.asc")).doesNotExist();
    // FP4 no longer lists rootfs A, but bacon does: it stays.
    assertThat(publish.resolve(rootfsA.substring(1))).isRegularFile();
    assertThat(publish.resolve(rootfsB.substring(1))).isRegularFile();
    assertNoOrphansAndNothingMissing();

    config.put("systemimage.full-images", "1");
    build(request("FP4", "pkg-c", "pkg-d"));
    assertThat(images("FP4")).containsExactly("full 4");
    assertThat(publish.resolve(rootfsB.substring(1))).doesNotExist();
    assertThat(publish.resolve(rootfsB.substring(1) + ".asc")).doesNotExist();
    assertThat(publish.resolve(rootfsA.substring(1))).isRegularFile();
    assertNoOrphansAndNothingMissing();
  }

  @Test
  void whenAnIndexOfTheTreeCannotBeReadExpiryRemovesNoFile() throws Exception {
    config.put("systemimage.full-images", "1");
    build(request("bacon", "pkg-a"));
    build(request("FP4", "pkg-a"));
    Files.writeString(publish.resolve("ci/lifecycle/bacon/index.json"), "{ damaged");

    build(request("FP4", "pkg-b"));

    assertThat(images("FP4")).containsExactly("full 2");
    // Version 1 of FP4 is listed nowhere now, but what bacon lists cannot be known: it stays.
    assertThat(publish.resolve("ci/lifecycle/FP4/version-1.tar.xz")).isRegularFile();
  }

  @Test
  void descriptionAndVersionDetailAreWrittenAsTheReferenceServerWritesThem() throws Exception {
    build(request("FP4", "hello"));
    JsonNode image = JSON.readTree(publish.resolve("ci/lifecycle/FP4/index.json").toFile()).at("/images/0");
    String rootfsSha = image.at("/files/0/checksum").asText();
    assertThat(image.at("/files/0/path").asText()).startsWith("/pool/ubports-");
    assertThat(image.get("version_detail").asText())
        .isEqualTo("ubports=" + rootfsSha + ",keyring=archive-master,version=1");
    assertThat(image.get("description").asText()).isEqualTo(image.get("version_detail").asText());
    String channelIni = Trees.tarMember(publish.resolve("ci/lifecycle/FP4/version-1.tar.xz"),
        "system/etc/system-image/channel.ini");
    assertThat(channelIni).contains("version_detail: ubports=" + rootfsSha + ",keyring=archive-master,version=1\n");
    // Written as the reference writes it: sorted keys, four-space indent, final newline.
    String text = Files.readString(publish.resolve("ci/lifecycle/FP4/index.json"));
    assertThat(text).startsWith("{\n    \"global\": {\n        \"generated_at\": ").endsWith("}\n")
        .contains("\n            \"description\": \"ubports=");
  }

  // --- helpers ---

  private List<String> images(String device) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode i : JSON.readTree(publish.resolve("ci/lifecycle/" + device + "/index.json").toFile())
        .get("images")) {
      out.add(i.get("type").asText() + " " + i.get("version").asInt()
          + (i.has("base") ? " from " + i.get("base").asInt() : ""));
    }
    return out;
  }

  private String rootfsPath(String device, int version) throws Exception {
    for (JsonNode i : JSON.readTree(publish.resolve("ci/lifecycle/" + device + "/index.json").toFile())
        .get("images")) {
      if (i.get("type").asText().equals("full") && i.get("version").asInt() == version) {
        return i.at("/files/0/path").asText();
      }
    }
    throw new AssertionError("no full image " + version);
  }

  /** Every file an index lists exists; every pool and version file is listed by some index. */
  private void assertNoOrphansAndNothingMissing() throws Exception {
    Set<String> listed = new HashSet<>();
    JsonNode channels = JSON.readTree(publish.resolve("channels.json").toFile());
    for (JsonNode c : channels) {
      for (JsonNode d : c.get("devices")) {
        for (JsonNode i : JSON.readTree(publish.resolve(d.get("index").asText().substring(1)).toFile())
            .get("images")) {
          for (JsonNode f : i.get("files")) {
            listed.add(f.get("path").asText());
            listed.add(f.get("signature").asText());
          }
        }
      }
    }
    for (String p : listed) {
      assertThat(publish.resolve(p.substring(1))).as("listed").isRegularFile();
    }
    for (Path f : publishedFiles(false)) {
      String rel = "/" + publish.relativize(f);
      if (rel.startsWith("/pool/") || rel.matches(".*/version-\\d+\\.tar\\.xz(\\.asc)?")) {
        assertThat(listed).as("an orphan is left").contains(rel);
      }
    }
  }

  private List<Path> publishedFiles(boolean withDirectories) throws Exception {
    try (Stream<Path> s = Files.walk(publish)) {
      return s.filter(p -> !publish.relativize(p).toString().startsWith(".imagebuilder-staging"))
          .filter(p -> withDirectories || Files.isRegularFile(p)).toList();
    }
  }

  private static Path archiveMaster() throws Exception {
    return TouchFixture.keys().resolve("gpg/archive-master.tar.xz");
  }
}
