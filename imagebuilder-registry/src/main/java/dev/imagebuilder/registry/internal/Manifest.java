package dev.imagebuilder.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.IntegrityException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A manifest exactly as the registry served it. The bytes are never re-serialized: the JSON is
 * parsed only to read references (children of an index, blobs of an image manifest).
 */
public record Manifest(byte[] bytes, String mediaType, String digest) {
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  /** All four, always: a narrower Accept makes a registry answer with one architecture's manifest. */
  public static final String ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One child of an index: its digest, media type and platform ({@code amd64}, {@code arm64/v8}). */
  public record Child(String digest, String mediaType, String platform) {}

  /** Checks the bytes against the digest the registry announced, when it did. */
  public static Manifest verified(byte[] bytes, String contentType, String announcedDigest, String what) {
    String digest = sha256(bytes);
    if (announcedDigest != null && !announcedDigest.isBlank() && !announcedDigest.strip().equals(digest)) {
      throw new IntegrityException(what + ": the registry announced " + announcedDigest.strip()
          + " but the manifest's bytes hash to " + digest);
    }
    String type = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    if (type.isEmpty() || type.equals("application/json")) {
      type = json(bytes).path("mediaType").asText("");
    }
    return new Manifest(bytes, type, digest);
  }

  public boolean isIndex() {
    return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST);
  }

  /** The children of an index (empty for an image manifest). */
  public List<Child> children() {
    List<Child> out = new ArrayList<>();
    if (!isIndex()) {
      return out;
    }
    for (JsonNode m : json(bytes).path("manifests")) {
      JsonNode p = m.path("platform");
      String platform = p.path("architecture").asText("");
      if (p.hasNonNull("variant")) {
        platform += "/" + p.get("variant").asText();
      }
      out.add(new Child(m.path("digest").asText(), m.path("mediaType").asText(""), platform));
    }
    return out;
  }

  /** The blobs of an image manifest: config first, then layers. */
  public List<String> blobs() {
    List<String> out = new ArrayList<>();
    if (isIndex()) {
      return out;
    }
    JsonNode root = json(bytes);
    String config = root.path("config").path("digest").asText("");
    if (!config.isEmpty()) {
      out.add(config);
    }
    for (JsonNode l : root.path("layers")) {
      String d = l.path("digest").asText("");
      if (!d.isEmpty() && !out.contains(d)) {
        out.add(d);
      }
    }
    return out;
  }

  public static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IntegrityException("the manifest is not JSON: "
          + new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8));
    }
  }
}
