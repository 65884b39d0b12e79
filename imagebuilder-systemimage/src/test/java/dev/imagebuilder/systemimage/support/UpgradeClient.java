package dev.imagebuilder.systemimage.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A device's updater and recovery, reduced to what the protocol says (reference notes, section
 * 3), over HTTP from a {@link StaticServer}, sharing nothing with the backend: trust goes from
 * archive-master to image-master to image-signing (gpgv); {@code channels.json} and the index are
 * verified; the upgrade path starts at a full image above the current build, or at a delta whose
 * base is the current build, and follows deltas; every file is checked for size, sha256 and
 * signature; the recovery then removes a delta's {@code removed} paths and unpacks the rest.
 */
public final class UpgradeClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StaticServer server;
  private final Path work;
  private final Path signingKeyring;

  /** One image of a path: its type, version and the files it made us apply. */
  public record Applied(String type, int version, Integer base, List<String> files) {}

  public UpgradeClient(StaticServer server, Path archiveMaster, Path work) throws Exception {
    this.server = server;
    this.work = Files.createDirectories(work);
    Path archive = keyring(archiveMaster, "archive-master");
    Path master = keyring(download("/gpg/image-master.tar.xz", archive), "image-master");
    this.signingKeyring = keyring(download("/gpg/image-signing.tar.xz", master), "image-signing");
  }

  /** The images a device at build {@code current} applies, in order (the best path). */
  public List<JsonNode> path(String channel, String device, int current) throws Exception {
    JsonNode channels = JSON.readTree(Files.readAllBytes(download("/channels.json", signingKeyring)));
    String indexPath = channels.at("/" + channel.replace("~", "~0").replace("/", "~1")
        + "/devices/" + device + "/index").asText();
    JsonNode index = JSON.readTree(Files.readAllBytes(download(indexPath, signingKeyring)));
    List<List<JsonNode>> paths = new ArrayList<>();
    for (JsonNode image : index.get("images")) {
      boolean full = image.get("type").asText().equals("full");
      if (full && image.get("version").asInt() > current
          && image.path("minversion").asInt(0) <= current
          || !full && image.get("base").asInt() == current) {
        List<JsonNode> p = new ArrayList<>(List.of(image));
        extend(index, p, paths);
      }
    }
    // Highest version reached first, then the fewest bytes (the WeightedScorer's main terms).
    return paths.stream().min(Comparator.<List<JsonNode>>comparingInt(
            p -> -p.get(p.size() - 1).get("version").asInt())
        .thenComparingLong(UpgradeClient::bytes)).orElse(List.of());
  }

  private static void extend(JsonNode index, List<JsonNode> path, List<List<JsonNode>> out) {
    int at = path.get(path.size() - 1).get("version").asInt();
    boolean extended = false;
    for (JsonNode image : index.get("images")) {
      if (image.get("type").asText().equals("delta") && image.get("base").asInt() == at) {
        List<JsonNode> longer = new ArrayList<>(path);
        longer.add(image);
        extend(index, longer, out);
        extended = true;
      }
    }
    if (!extended) {
      out.add(path);
    }
  }

  private static long bytes(List<JsonNode> path) {
    long n = 0;
    for (JsonNode image : path) {
      for (JsonNode f : image.get("files")) {
        n += f.get("size").asLong();
      }
    }
    return n;
  }

  /** Downloads, verifies and applies the path to the system tree {@code root}, as the recovery. */
  public List<Applied> apply(List<JsonNode> path, Path root) throws Exception {
    List<Applied> applied = new ArrayList<>();
    for (JsonNode image : path) {
      List<Path> files = new ArrayList<>();
      List<JsonNode> entries = new ArrayList<>();
      image.get("files").forEach(entries::add);
      entries.sort(Comparator.comparingInt(f -> f.get("order").asInt()));
      for (JsonNode f : entries) {
        Path file = download(f.get("path").asText(), signingKeyring);
        if (Files.size(file) != f.get("size").asLong()
            || !Trees.sha256(file).equals(f.get("checksum").asText())) {
          throw new AssertionError(f.get("path").asText() + " does not match its size or checksum");
        }
        files.add(file);
      }
      if (image.get("type").asText().equals("full")) {
        clear(root); // "format system"
      }
      List<String> names = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        unpack(files.get(i), root);
        names.add(entries.get(i).get("path").asText());
      }
      applied.add(new Applied(image.get("type").asText(), image.get("version").asInt(),
          image.has("base") ? image.get("base").asInt() : null, names));
    }
    return applied;
  }

  /** Every entry of a tree: relative path to type, permissions and content or link target. */
  public static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
        if (!d.equals(root)) {
          out.put(root.relativize(d) + "/", "dir " + mode(d));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        String rel = root.relativize(f).toString();
        if (a.isSymbolicLink()) {
          out.put(rel, "link " + Files.readSymbolicLink(f));
        } else if (a.isRegularFile()) {
          out.put(rel, "file " + mode(f) + " " + Trees.sha256(f));
        } else {
          out.put(rel, "other");
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return out;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  private void unpack(Path tarXz, Path root) throws IOException, InterruptedException {
    List<String> members = Trees.tarList(tarXz);
    if (members.contains("removed")) {
      for (String line : Trees.tarMember(tarXz, "removed").split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        Path p = root.resolve(line).normalize();
        if (!p.startsWith(root)) {
          throw new AssertionError("removal list escapes the tree: " + line);
        }
        delete(p);
      }
      Trees.run(List.of("tar", "-xJf", tarXz.toString(), "-C", root.toString(), "--exclude=removed"));
    } else {
      Trees.run(List.of("tar", "-xJf", tarXz.toString(), "-C", root.toString()));
    }
  }

  private Path download(String path, Path keyring) throws Exception {
    Path file = work.resolve(path.substring(1).replace('/', '_'));
    Files.write(file, server.bytes(path));
    Files.write(file.resolveSibling(file.getFileName() + ".asc"), server.bytes(path + ".asc"));
    Trees.gpgv(keyring, file);
    return file;
  }

  private Path keyring(Path tarXz, String type) throws Exception {
    Path dir = Files.createDirectories(work.resolve("keyring-" + type));
    Trees.run(List.of("tar", "-xJf", tarXz.toString(), "-C", dir.toString()));
    JsonNode meta = JSON.readTree(dir.resolve("keyring.json").toFile());
    if (!meta.get("type").asText().equals(type)) {
      throw new AssertionError(tarXz + " is a " + meta.get("type") + " keyring, not " + type);
    }
    return dir.resolve("keyring.gpg");
  }

  private static void clear(Path root) throws IOException {
    if (Files.exists(root)) {
      delete(root);
    }
    Files.createDirectories(root);
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(q);
        }
      }
    } else {
      Files.delete(p);
    }
  }
}
