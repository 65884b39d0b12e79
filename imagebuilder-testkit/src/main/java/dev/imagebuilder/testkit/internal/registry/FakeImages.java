package dev.imagebuilder.testkit.internal.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images as Launchpad pushes them: per architecture a Docker schema2 manifest with one config and
 * one layer blob, and a Docker manifest list of them. The JSON is written with Python's
 * {@code json.dumps} spacing (", " and ": "), as Launchpad's bytes are, so a client that
 * re-serializes them changes their digest.
 */
public final class FakeImages {
  public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG = "application/vnd.docker.container.image.v1+json";
  static final String LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  private FakeImages() {}

  /** One architecture's image: blobs by digest (config first), and its manifest. */
  public record ArchImage(String architecture, Map<String, byte[]> blobs, byte[] manifest, String digest) {}

  /** A multi-architecture image: the per-architecture images and the list of them. */
  public record MultiArch(List<ArchImage> images, byte[] list, String digest) {}

  /** Launchpad's processor name -> OCI platform, as Launchpad's registry client maps it. */
  public static String platform(String launchpadArch) {
    return switch (launchpadArch) {
      case "amd64" -> "{\"os\": \"linux\", \"architecture\": \"amd64\"}";
      case "arm64" -> "{\"os\": \"linux\", \"architecture\": \"arm64\", \"variant\": \"v8\"}";
      case "armhf" -> "{\"os\": \"linux\", \"architecture\": \"arm\", \"variant\": \"v7\"}";
      case "i386" -> "{\"os\": \"linux\", \"architecture\": \"386\"}";
      case "ppc64el" -> "{\"os\": \"linux\", \"architecture\": \"ppc64le\"}";
      default -> "{\"os\": \"linux\", \"architecture\": \"" + launchpadArch + "\"}";
    };
  }

  /** A multi-architecture image whose content is derived from {@code seed} (same seed, same digests). */
  public static MultiArch build(String seed, List<String> architectures) {
    List<ArchImage> images = new ArrayList<>();
    for (String arch : architectures) {
      images.add(archImage(seed, arch));
    }
    return list(images);
  }

  /** The Docker manifest list of these images, in their order. */
  public static MultiArch list(List<ArchImage> images) {
    StringBuilder list = new StringBuilder("{\"schemaVersion\": 2, \"mediaType\": \"" + DOCKER_LIST + "\", \"manifests\": [");
    boolean first = true;
    for (ArchImage img : images) {
      String arch = img.architecture();
      if (!first) {
        list.append(", ");
      }
      first = false;
      list.append("{\"mediaType\": \"").append(DOCKER_MANIFEST).append("\", \"size\": ").append(img.manifest().length)
          .append(", \"digest\": \"").append(img.digest()).append("\", \"platform\": ").append(platform(arch)).append('}');
    }
    byte[] bytes = list.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    return new MultiArch(images, bytes, sha256(bytes));
  }

  public static ArchImage archImage(String seed, String arch) {
    byte[] layer = pseudoRandom(seed + "/" + arch, 4096);
    byte[] config = ("{\"architecture\": \"" + arch + "\", \"os\": \"linux\", \"rootfs\": {\"type\": \"layers\", "
        + "\"diff_ids\": [\"" + sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> blobs = new LinkedHashMap<>();
    blobs.put(sha256(config), config);
    blobs.put(sha256(layer), layer);
    byte[] manifest = ("{\"schemaVersion\": 2, \"mediaType\": \"" + DOCKER_MANIFEST + "\", \"config\": {\"mediaType\": \""
        + CONFIG + "\", \"size\": " + config.length + ", \"digest\": \"" + sha256(config) + "\"}, \"layers\": [{\"mediaType\": \""
        + LAYER + "\", \"size\": " + layer.length + ", \"digest\": \"" + sha256(layer) + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
    return new ArchImage(arch, blobs, manifest, sha256(manifest));
  }

  static byte[] pseudoRandom(String seed, int size) {
    byte[] out = new byte[size];
    byte[] block = seed.getBytes(StandardCharsets.UTF_8);
    int pos = 0;
    while (pos < size) {
      block = digest(block);
      int n = Math.min(block.length, size - pos);
      System.arraycopy(block, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  public static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(digest(bytes));
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
