package dev.imagebuilder.testkit.internal.systemimage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tree a system-image server publishes, held in memory: {@code channels.json}, each device's
 * {@code index.json}, the pool and the keyrings, every file with its {@code .asc}. Written from
 * the protocol notes, sharing nothing with the client it serves.
 */
public final class FakeTree {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeKeys keys;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> indexes = new ConcurrentHashMap<>();
  private final ObjectNode channels = JSON.createObjectNode();

  public FakeTree(FakeKeys keys) {
    this.keys = keys;
    long now = System.currentTimeMillis() / 1000;
    byte[] archive = FakeTarballs.keyring("archive-master", keys.archiveMaster.publicBinary(), null);
    put("/gpg/archive-master.tar.xz", archive, keys.archiveMaster);
    put("/gpg/image-master.tar.xz",
        FakeTarballs.keyring("image-master", keys.imageMaster.publicBinary(), null), keys.archiveMaster);
    put("/gpg/image-signing.tar.xz", FakeTarballs.keyring("image-signing",
        keys.imageSigning.publicBinary(), now + 730L * 86400), keys.imageMaster);
  }

  private void put(String path, byte[] content, FakeKeys.Key signer) {
    files.put(path, content);
    files.put(path + ".asc", signer.sign(content));
  }

  /** Adds a payload to the pool under {@code /pool/<prefix>-<sha256>.tar.xz}; returns its entry. */
  public ObjectNode pool(String prefix, byte[] content, int order) {
    String sha = sha256(content);
    String path = "/pool/" + prefix + "-" + sha + ".tar.xz";
    put(path, content, keys.imageSigning);
    ObjectNode f = JSON.createObjectNode();
    f.put("checksum", sha);
    f.put("order", order);
    f.put("path", path);
    f.put("signature", path + ".asc");
    f.put("size", content.length);
    return f;
  }

  /** A file at a chosen path, for the version tarball (lives in the device's directory). */
  public ObjectNode fileAt(String path, byte[] content, int order) {
    put(path, content, keys.imageSigning);
    ObjectNode f = JSON.createObjectNode();
    f.put("checksum", sha256(content));
    f.put("order", order);
    f.put("path", path);
    f.put("signature", path + ".asc");
    f.put("size", content.length);
    return f;
  }

  /** Adds a full image (or a delta when base is not null) to a device of a channel. */
  public void addImage(String channel, String device, int version, Integer base,
      List<ObjectNode> imageFiles) {
    String indexPath = "/" + channel + "/" + device + "/index.json";
    ObjectNode index = indexes.computeIfAbsent(indexPath, k -> {
      ObjectNode n = JSON.createObjectNode();
      n.putObject("global").put("generated_at", "Thu Aug 01 08:01:00 UTC 2013");
      n.putArray("images");
      return n;
    });
    ObjectNode image = ((ArrayNode) index.get("images")).addObject();
    image.put("type", base == null ? "full" : "delta");
    image.put("version", version);
    if (base != null) {
      image.put("base", base);
    }
    image.put("description", "fake=" + version + ",device=" + device);
    image.put("version_detail", "fake=" + version + ",device=" + device + ",version=" + version);
    ArrayNode list = image.putArray("files");
    imageFiles.forEach(list::add);
    ObjectNode c = channels.has(channel) ? (ObjectNode) channels.get(channel) : channels.putObject(channel);
    ObjectNode devices = c.has("devices") ? (ObjectNode) c.get("devices") : c.putObject("devices");
    devices.putObject(device).put("index", indexPath);
  }

  /** Replaces the path (and signature path) of a device's file in its latest full image. */
  public void replacePath(String channel, String device, String prefix, String newPath) {
    ObjectNode index = indexes.get("/" + channel + "/" + device + "/index.json");
    ArrayNode images = (ArrayNode) index.get("images");
    ObjectNode latest = null;
    for (var n : images) {
      if ("full".equals(n.get("type").asText())
          && (latest == null || n.get("version").asInt() > latest.get("version").asInt())) {
        latest = (ObjectNode) n;
      }
    }
    for (var f : latest.get("files")) {
      String path = f.get("path").asText();
      if (path.substring(path.lastIndexOf('/') + 1).startsWith(prefix + "-")) {
        ((ObjectNode) f).put("path", newPath);
        ((ObjectNode) f).put("signature", newPath + ".asc");
      }
    }
  }

  /** The current bytes of a path (documents are rendered and signed now), or null. */
  public byte[] get(String path) {
    if (path.equals("/channels.json")) {
      return render(channels);
    }
    if (path.equals("/channels.json.asc")) {
      return keys.imageSigning.sign(render(channels));
    }
    if (indexes.containsKey(path)) {
      return render(indexes.get(path));
    }
    if (path.endsWith(".asc") && indexes.containsKey(path.substring(0, path.length() - 4))) {
      return keys.imageSigning.sign(render(indexes.get(path.substring(0, path.length() - 4))));
    }
    return files.get(path);
  }

  public Map<String, byte[]> files() {
    return new LinkedHashMap<>(files);
  }

  private static byte[] render(ObjectNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
