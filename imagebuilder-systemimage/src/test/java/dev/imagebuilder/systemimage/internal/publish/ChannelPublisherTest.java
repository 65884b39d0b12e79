package dev.imagebuilder.systemimage.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.systemimage.internal.pgp.GeneratedKey;
import dev.imagebuilder.systemimage.internal.pgp.SigningKey;
import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import dev.imagebuilder.systemimage.support.Trees;
import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** All or nothing: a failure at any point of the commit leaves the tree exactly as it was. */
class ChannelPublisherTest {
  static SigningKey key;
  @TempDir Path dir;

  @BeforeAll
  static void key() throws Exception {
    key = GeneratedKey.generate("test <t@test.invalid>", 2048, 0, new char[0]).signingKey(new char[0]);
  }

  private PublishedImage publish(Path root, ChannelPublisher.CommitObserver observer, String content)
      throws IOException {
    return publish(root, observer, "chan", content, List.of());
  }

  private PublishedImage publish(Path root, String channel, String content, List<String> deltaBases)
      throws IOException {
    return publish(root, ChannelPublisher.CommitObserver.NONE, channel, content, deltaBases);
  }

  private PublishedImage publish(Path root, ChannelPublisher.CommitObserver observer, String channel,
      String content, List<String> deltaBases) throws IOException {
    ChannelPublisher p = new ChannelPublisher(root, key, observer, 0);
    try (WorkDirectory stagingDirectory = p.newStaging("t", line -> { })) {
      Path staging = stagingDirectory.path();
      Path payload = staging.resolve("payload");
      try (TarXzWriter tar = TarXzWriter.create(payload, 0)) {
        tar.file("system/content", content.getBytes(StandardCharsets.UTF_8), 0644, Instant.EPOCH);
      }
      String sha = Digests.sha256(payload);
      RemotePath path = RemotePath.of("p", "/pool/device-" + sha + ".tar.xz");
      Path staged = path.resolveUnder(staging);
      Files.createDirectories(staged.getParent());
      Files.move(payload, staged);
      p.sign(staged);
      return p.publish(staging, new ChannelPublisher.ImageSpec(channel, "FP4", "host", 80, 443,
          List.of("device=" + content), 0, deltaBases),
          List.of(new PayloadFile(path, staged, sha, Files.size(staged), 0)), List.of());
    }
  }

  @Test
  void aFailureAtEveryStepOfTheCommitRestoresTheTree() throws Exception {
    Path root = dir.resolve("www");
    assertThat(publish(root, ChannelPublisher.CommitObserver.NONE, "one").version()).isEqualTo(1);
    Map<String, String> before = Trees.snapshot(root);
    // Moves of version 2: payload, version tarball, delta from version 1, index, channels.json,
    // each with its .asc.
    for (int failAt = 1; failAt <= 10; failAt++) {
      AtomicInteger moves = new AtomicInteger();
      int at = failAt;
      assertThatThrownBy(() -> publish(root, target -> {
        if (moves.incrementAndGet() == at) {
          throw new IOException("disk full (injected at move " + at + ")");
        }
      }, "two")).as("failing at move %d", at).hasMessageContaining("injected at move " + at);
      assertThat(Trees.snapshot(root)).as("after failing at move %d", at).isEqualTo(before);
    }
    assertThat(publish(root, ChannelPublisher.CommitObserver.NONE, "two").version()).isEqualTo(2);
  }

  @Test
  void refusesToReplaceAPoolFileWithOtherContent() throws Exception {
    Path root = dir.resolve("www");
    publish(root, ChannelPublisher.CommitObserver.NONE, "one");
    Path pool;
    try (var s = Files.list(root.resolve("pool"))) {
      pool = s.filter(p -> p.toString().endsWith(".tar.xz")).findFirst().orElseThrow();
    }
    Files.writeString(pool, "tampered");
    Files.writeString(pool.resolveSibling(pool.getFileName() + ".asc"), "tampered");
    Map<String, String> before = Trees.snapshot(root);
    assertThatThrownBy(() -> publish(root, ChannelPublisher.CommitObserver.NONE, "one"))
        .hasMessageContaining("already exists with different content");
    assertThat(Trees.snapshot(root)).isEqualTo(before);
  }

  @Test
  void republishingPoolContentWhoseSignatureDiffersInLengthSucceeds() throws Exception {
    // Two builds staging the same pool file sign it separately; the signatures can differ in
    // length (RSA values with a leading zero byte, another key). That is not "other content".
    Path root = dir.resolve("www");
    publish(root, ChannelPublisher.CommitObserver.NONE, "one");
    Path asc;
    try (var s = Files.list(root.resolve("pool"))) {
      asc = s.filter(p -> p.toString().endsWith(".tar.xz.asc")).findFirst().orElseThrow();
    }
    Files.writeString(asc, Files.readString(asc) + "\n");

    assertThat(publish(root, ChannelPublisher.CommitObserver.NONE, "one").version()).isEqualTo(2);

    Path payload = root.resolve("pool").resolve(asc.getFileName().toString().replace(".asc", ""));
    assertThat(Trees.tarMember(payload, "system/content")).isEqualTo("one");
    var trusted = new dev.imagebuilder.systemimage.internal.pgp.SignatureVerifier(
        new org.bouncycastle.openpgp.PGPPublicKeyRingCollection(List.of(
            new org.bouncycastle.openpgp.PGPPublicKeyRing(List.of(key.publicKey())))));
    trusted.verify(Files.readAllBytes(payload), Files.readAllBytes(asc), "pool signature");
  }

  @Test
  void aChannelDeltaBaseStandsForThatChannelsLatestFullImage() throws Exception {
    Path root = dir.resolve("www");
    publish(root, "chan", "one", List.of());
    publish(root, "chan", "two", List.of());
    publish(root, "stable", "one", List.of());

    // stable's latest full image is 1, a full image of chan too; "absent" is no channel of the
    // tree; 2 is the previous version, which gets its delta anyway.
    publish(root, "chan", "three", List.of("stable", "absent", "2"));

    assertThat(images(root, "chan")).containsExactly("full 1", "full 2", "delta 2 from 1", "full 3",
        "delta 3 from 2", "delta 3 from 1");
  }

  @Test
  void aChannelDeltaBaseWhoseLatestFullImageThisDeviceLacksGivesNoDelta() throws Exception {
    Path root = dir.resolve("www");
    publish(root, "stable", "one", List.of());
    publish(root, "stable", "two", List.of());
    publish(root, "chan", "one", List.of());

    publish(root, "chan", "two", List.of("stable"));

    assertThat(images(root, "chan")).containsExactly("full 1", "full 2", "delta 2 from 1");
  }

  @Test
  void aDamagedChannelsJsonRefusesThePublicationAndLeavesTheTreeAsItWas() throws Exception {
    Path root = dir.resolve("www");
    publish(root, ChannelPublisher.CommitObserver.NONE, "one");
    Files.writeString(root.resolve("channels.json"), "{\"chan\": []}");
    Map<String, String> before = Trees.snapshot(root);

    assertThatThrownBy(() -> publish(root, "chan", "two", List.of("stable")))
        .isInstanceOf(dev.imagebuilder.api.IntegrityException.class)
        .hasMessageContaining("channels.json: channel 'chan' is not an object");
    assertThat(Trees.snapshot(root)).isEqualTo(before);
  }

  /** The device's images as the published index lists them: "full N" or "delta N from B". */
  private static List<String> images(Path root, String channel) throws IOException {
    List<String> out = new java.util.ArrayList<>();
    JsonNode index = new ObjectMapper().readTree(root.resolve(channel + "/FP4/index.json").toFile());
    for (JsonNode i : index.get("images")) {
      out.add(i.get("type").asText() + " " + i.get("version").asInt()
          + (i.has("base") ? " from " + i.get("base").asInt() : ""));
    }
    return out;
  }
}
