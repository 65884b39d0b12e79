package dev.imagebuilder.systemimage.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.systemimage.internal.pgp.AtomicFiles;
import dev.imagebuilder.systemimage.internal.pgp.SigningKey;
import dev.imagebuilder.systemimage.internal.protocol.DeviceIndex;
import dev.imagebuilder.systemimage.internal.protocol.Image;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Publishes one device image into a system-image tree, all or nothing.
 *
 * <p>Everything new is first written and signed in a staging directory inside the tree (same
 * file system, so moves are atomic renames). The commit then moves payloads into place (pool
 * files are content-addressed and never overwritten), then the device's {@code index.json}, then
 * {@code channels.json}, each replaced by an atomic rename. If any step fails, the files added
 * are removed and the replaced ones restored, so the tree is exactly as it was. One publication
 * at a time per tree: a lock in this JVM and a file lock against other processes. The hidden
 * {@code .imagebuilder-staging/} directory (staging areas and the lock file) is the publisher's
 * own working area and not part of the published tree.
 */
public final class ChannelPublisher {
  public static final String STAGING = ".imagebuilder-staging";
  private static final String LOCK_FILE = "lock";
  private static final DateTimeFormatter GENERATED_AT =
      DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss 'UTC' yyyy", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  /** Test seam: called after each file is moved into the tree during a commit. */
  public interface CommitObserver {
    CommitObserver NONE = path -> {};

    void moved(Path target) throws IOException;
  }

  private final Path root;
  private final SigningKey key;
  private final CommitObserver observer;

  public ChannelPublisher(Path root, SigningKey key, CommitObserver observer) {
    this.root = root.toAbsolutePath().normalize();
    this.key = key;
    this.observer = observer;
  }

  /** A fresh staging directory for one publication. */
  public Path newStaging(String name) throws IOException {
    Path dir = root.resolve(STAGING);
    Files.createDirectories(dir);
    return Files.createTempDirectory(dir, name.replaceAll("[^A-Za-z0-9._-]", "_") + "-");
  }

  /** Signs a staged file into its {@code .asc}. */
  public void sign(Path staged) throws IOException {
    key.signFile(staged);
  }

  /** What goes into the new image besides the payloads. */
  public record ImageSpec(
      String channel, String device, String description, String host, int httpPort, int httpsPort) {}

  /**
   * Publishes the payloads (already staged and signed under {@code staging}) plus a new version
   * tarball as the next full image of {@code spec.device()} in {@code spec.channel()}.
   *
   * @param versionDetail called with the new version number, returns the version_detail text
   */
  public PublishedImage publish(Path staging, ImageSpec spec, List<PayloadFile> payloads,
      java.util.function.IntFunction<String> versionDetail, List<Path> gpgFiles) throws IOException {
    ReentrantLock lock = LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting to publish");
    }
    Files.createDirectories(root.resolve(STAGING));
    try (FileChannel ch = FileChannel.open(root.resolve(STAGING).resolve(LOCK_FILE),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      return publishLocked(staging, spec, payloads, versionDetail, gpgFiles);
    } finally {
      lock.unlock();
    }
  }

  private PublishedImage publishLocked(Path staging, ImageSpec spec, List<PayloadFile> payloads,
      java.util.function.IntFunction<String> versionDetail, List<Path> gpgFiles) throws IOException {
    String deviceDir = spec.channel() + "/" + spec.device();
    RemotePath indexPath = RemotePath.of("index", "/" + deviceDir + "/index.json");
    Path indexFile = indexPath.resolveUnder(root);
    ObjectNode index;
    int version;
    if (Files.exists(indexFile)) {
      byte[] bytes = Files.readAllBytes(indexFile);
      DeviceIndex parsed = ProtocolJson.index(bytes, indexFile.toString());
      index = (ObjectNode) ProtocolJson.tree(bytes, indexFile.toString());
      version = parsed.highestVersion() + 1;
    } else {
      index = ProtocolJson.MAPPER.createObjectNode();
      index.putObject("global");
      index.putArray("images");
      version = 1;
    }
    if (version > Image.MAX_VERSION) {
      throw new ImageBuildException(indexFile + " already holds version " + (version - 1)
          + "; system-image versions stop at " + Image.MAX_VERSION);
    }
    Instant now = Instant.now();
    String detail = versionDetail.apply(version);

    // The version tarball: the last file, applied after the payloads.
    RemotePath versionPath = RemotePath.of("version", "/" + deviceDir + "/version-" + version + ".tar.xz");
    Path versionStaged = versionPath.resolveUnder(staging);
    Files.createDirectories(versionStaged.getParent());
    VersionTarball.write(versionStaged, new VersionTarball.ChannelIni(spec.host(), spec.httpPort(),
        spec.httpsPort(), spec.channel(), spec.device(), version, detail), now);
    sign(versionStaged);
    List<PayloadFile> files = new ArrayList<>(payloads);
    files.sort(Comparator.comparingInt(PayloadFile::order));
    files.add(new PayloadFile(versionPath, versionStaged, Digests.sha256(versionStaged),
        Files.size(versionStaged), files.isEmpty() ? 0 : files.get(files.size() - 1).order() + 1));

    ObjectNode image = ProtocolJson.MAPPER.createObjectNode();
    image.put("type", "full");
    image.put("version", version);
    image.put("description", spec.description() + ",version=" + version);
    image.put("version_detail", detail);
    ArrayNode fileNodes = image.putArray("files");
    for (PayloadFile f : files) {
      ObjectNode n = fileNodes.addObject();
      n.put("checksum", f.sha256());
      n.put("order", f.order());
      n.put("path", f.path().value());
      n.put("signature", f.path().value() + ".asc");
      n.put("size", f.size());
    }
    ((ArrayNode) index.get("images")).add(image);
    ((ObjectNode) index.get("global")).put("generated_at", GENERATED_AT.format(now));
    Path indexStaged = indexPath.resolveUnder(staging);
    writeJson(indexStaged, index);
    // Check what we wrote the way a client reads it, before anyone can see it.
    ProtocolJson.index(Files.readAllBytes(indexStaged), "new " + indexPath);
    sign(indexStaged);

    Path channelsFile = root.resolve("channels.json");
    ObjectNode channels = Files.exists(channelsFile)
        ? (ObjectNode) ProtocolJson.tree(Files.readAllBytes(channelsFile), channelsFile.toString())
        : ProtocolJson.MAPPER.createObjectNode();
    ProtocolJson.channels(ProtocolJson.MAPPER.writeValueAsBytes(channels), channelsFile.toString());
    JsonNode existing = channels.get(spec.channel());
    ObjectNode channel = existing instanceof ObjectNode o ? o : channels.putObject(spec.channel());
    ObjectNode devices = channel.get("devices") instanceof ObjectNode d ? d : channel.putObject("devices");
    ObjectNode device = devices.get(spec.device()) instanceof ObjectNode d ? d : devices.putObject(spec.device());
    device.put("index", indexPath.value());
    device.remove("redirect");
    Path channelsStaged = staging.resolve("channels.json");
    writeJson(channelsStaged, channels);
    sign(channelsStaged);

    List<Path> order = new ArrayList<>();
    for (PayloadFile f : files) {
      order.add(f.path().resolveUnder(staging));
    }
    for (Path g : gpgFiles) {
      Path staged = staging.resolve("gpg").resolve(g.getFileName());
      Files.createDirectories(staged.getParent());
      Files.copy(g, staged, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Path asc = g.resolveSibling(g.getFileName() + ".asc");
      if (Files.exists(asc)) {
        Files.copy(asc, staged.resolveSibling(asc.getFileName()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      order.add(staged);
    }
    order.add(indexStaged);
    order.add(channelsStaged);
    commit(staging, order);
    return new PublishedImage(spec.channel(), spec.device(), version, indexFile, channelsFile);
  }

  private static void writeJson(Path file, JsonNode node) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, ProtocolJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsBytes(node));
  }

  /** Moves each staged file (and its .asc) into the tree; undoes everything on failure. */
  private void commit(Path staging, List<Path> stagedFiles) throws IOException {
    Path backups = staging.resolve(".backup");
    List<Path> added = new ArrayList<>();
    List<Path[]> replaced = new ArrayList<>();
    try {
      for (Path main : stagedFiles) {
        Path mainTarget = root.resolve(staging.relativize(main).toString());
        boolean pool = staging.relativize(main).startsWith("pool");
        // A payload already published is not staged again (nothing to check then).
        if (pool && Files.exists(main) && Files.exists(mainTarget)
            && (Files.size(mainTarget) != Files.size(main)
            || !Digests.sha256(mainTarget).equals(Digests.sha256(main)))) {
          throw new IntegrityException("pool file " + mainTarget
              + " already exists with different content; refusing to replace it");
        }
        // The signature first, so a reader never sees a new file with a missing .asc.
        for (Path staged : List.of(main.resolveSibling(main.getFileName() + ".asc"), main)) {
          if (!Files.exists(staged)) {
            continue;
          }
          Path rel = staging.relativize(staged);
          Path target = root.resolve(rel.toString());
          if (Files.exists(target)) {
            if (pool && staged.equals(main)) {
              continue; // the same content is already published: pool files are never replaced
            }
            // Replaceable: a document, or the .asc of identical pool content. Two signatures of
            // the same bytes differ (time, length); the newer one is just as valid.
            Path backup = backups.resolve(rel.toString());
            Files.createDirectories(backup.getParent());
            Files.copy(target, backup, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            replaced.add(new Path[] {target, backup});
          } else {
            added.add(target);
          }
          Files.createDirectories(target.getParent());
          AtomicFiles.move(staged, target);
          observer.moved(target);
        }
      }
    } catch (IOException | RuntimeException e) {
      rollback(added, replaced, e);
      throw e;
    }
  }

  private void rollback(List<Path> added, List<Path[]> replaced, Exception cause) {
    for (int i = replaced.size() - 1; i >= 0; i--) {
      try {
        AtomicFiles.move(replaced.get(i)[1], replaced.get(i)[0]);
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
    for (int i = added.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(added.get(i));
        removeEmptyParents(added.get(i).getParent());
      } catch (IOException e) {
        cause.addSuppressed(e);
      }
    }
  }

  private void removeEmptyParents(Path dir) throws IOException {
    for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
      try (Stream<Path> s = Files.list(d)) {
        if (s.findAny().isPresent()) {
          return;
        }
      }
      Files.delete(d);
    }
  }

  /** Removes a staging directory and everything in it. */
  public static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a leftover staging file is harmless and cleaned next time
        }
      });
    } catch (IOException ignored) {
      // as above
    }
  }
}
