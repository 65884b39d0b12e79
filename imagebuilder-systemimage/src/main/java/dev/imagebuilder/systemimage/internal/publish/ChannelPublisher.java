package dev.imagebuilder.systemimage.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.systemimage.internal.pgp.SigningKey;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.Image;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Publishes one device image into a system-image tree, all or nothing: the next full image, a
 * delta towards it from each delta base, and the expiry of old images, as the reference server's
 * {@code import-images} does.
 *
 * <p>Everything new is first written and signed in a staging directory inside the tree (same
 * file system, so moves are atomic renames). The commit ({@link TreeCommit}) then moves payloads
 * into place (pool files are content-addressed and never overwritten), then the device's
 * {@code index.json}, then {@code channels.json}, each replaced by an atomic rename. If any step
 * fails, the files added are removed and the replaced ones restored, so the tree is exactly as it
 * was. Only then are the files of expired images removed ({@link PoolCleaner}). One publication
 * at a time per tree: a lock in this JVM and a file lock against other processes. The hidden
 * {@code .imagebuilder-staging/} directory (staging areas and the lock file) is the publisher's
 * own working area and not part of the published tree.
 */
public final class ChannelPublisher {
  public static final String STAGING = ".imagebuilder-staging";
  private static final String LOCK_FILE = "lock";
  /** Never deltaed; a changed file goes in whole (the reference's generate_delta, boot overlays). */
  private static final Set<String> WHOLE_IN_DELTAS = Set.of("version", "keyring", "boot");
  /** In every delta even when unchanged, as the reference's importer does ("keyring- hack"). */
  private static final String ALWAYS_IN_DELTAS = "keyring";
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  /** Test seam: called after each file is moved into the tree during a commit. */
  public interface CommitObserver {
    CommitObserver NONE = path -> {};

    void moved(Path target) throws IOException;
  }

  private final Path root;
  private final SigningKey key;
  private final CommitObserver observer;
  private final int xzPreset;

  public ChannelPublisher(Path root, SigningKey key, CommitObserver observer, int xzPreset) {
    this.root = root.toAbsolutePath().normalize();
    this.key = key;
    this.observer = observer;
    this.xzPreset = xzPreset;
  }

  public Path root() {
    return root;
  }

  /**
   * A fresh staging directory for one publication, after removing those of publications whose
   * process is gone (a {@code kill -9} mid-publication leaves its staged files behind).
   */
  public WorkDirectory newStaging(String name, Consumer<String> log) throws IOException {
    Path dir = root.resolve(STAGING);
    WorkDirectory.sweep(dir, "", log);
    return WorkDirectory.create(dir, name.replaceAll("[^A-Za-z0-9._-]", "_") + "-", log);
  }

  /** Signs a staged file into its {@code .asc}. */
  public void sign(Path staged) throws IOException {
    key.signFile(staged);
  }

  /**
   * What goes into the new image besides the payloads.
   *
   * @param versionDetail the {@code name=value} entries of {@code version_detail}, in file order,
   *     without {@code version=N} (added here, as the reference's version generator adds it)
   * @param fullCount how many full images to keep (the reference's {@code fullcount}); 0 keeps all
   * @param deltaBases more delta sources besides the previous version: a version number of this
   *     device, or a channel of this tree whose latest full image (for this device) is also a full
   *     image of this device (the reference's {@code deltabase})
   */
  public record ImageSpec(String channel, String device, String host, int httpPort, int httpsPort,
      List<String> versionDetail, int fullCount, List<String> deltaBases) {
    public ImageSpec {
      versionDetail = List.copyOf(versionDetail);
      deltaBases = List.copyOf(deltaBases);
    }
  }

  /**
   * Publishes the payloads (staged and signed under {@code staging}, or already in the tree)
   * plus a new version tarball as the next full image of {@code spec.device()}.
   */
  public PublishedImage publish(Path staging, ImageSpec spec, List<PayloadFile> payloads,
      List<Path> gpgFiles) throws IOException {
    ReentrantLock lock = LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to publish");
    }
    Files.createDirectories(root.resolve(STAGING));
    try (FileChannel ch = FileChannel.open(root.resolve(STAGING).resolve(LOCK_FILE),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      return publishLocked(staging, spec, payloads, gpgFiles);
    } finally {
      lock.unlock();
    }
  }

  private PublishedImage publishLocked(Path staging, ImageSpec spec, List<PayloadFile> payloads,
      List<Path> gpgFiles) throws IOException {
    String deviceDir = spec.channel() + "/" + spec.device();
    RemotePath indexPath = RemotePath.of("index", "/" + deviceDir + "/index.json");
    Path indexFile = indexPath.resolveUnder(root);
    IndexDocument index = IndexDocument.load(indexFile);
    int version = index.nextVersion();
    if (version > Image.MAX_VERSION) {
      throw new ImageBuildException(indexFile + " already holds version " + (version - 1)
          + "; system-image versions stop at " + Image.MAX_VERSION);
    }
    for (PayloadFile p : payloads) {
      // Staged files are ours; a file reused from the tree must still be there (under the lock,
      // no other publication can expire it now).
      if (!Files.exists(p.staged()) && !Files.isRegularFile(p.path().resolveUnder(root))) {
        throw new IntegrityException(p.path() + " was neither staged nor found in " + root
            + " (expired by another publication meanwhile?); publish again");
      }
    }
    Instant now = Instant.now();
    List<String> entries = new ArrayList<>(spec.versionDetail());
    entries.add("version=" + version);
    String detail = String.join(",", entries);

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

    // Each path once: a delta reuses the version tarball (and whole files) of the full image.
    Set<Path> order = new LinkedHashSet<>();
    for (PayloadFile f : files) {
      order.add(f.path().resolveUnder(staging));
    }
    // Read once: under the lock, the delta bases and the new channels.json see one document.
    Path channelsFile = root.resolve("channels.json");
    Optional<byte[]> channelsJson = Files.exists(channelsFile)
        ? Optional.of(Files.readAllBytes(channelsFile)) : Optional.empty();
    Map<String, ChannelEntry> channels = channelsJson.isEmpty() ? Map.of()
        : ProtocolJson.channels(channelsJson.get(), channelsFile.toString());
    // The bases are full images published before this one, so they are resolved first.
    List<Integer> bases = new DeltaBases(root, spec.device(), channels).resolve(index, spec.deltaBases());
    index.add("full", version, null, detail, files);
    for (int base : bases) {
      List<PayloadFile> deltaFiles = deltaFiles(staging, index.full(base).orElseThrow(), files);
      index.add("delta", version, base, detail, deltaFiles);
      deltaFiles.forEach(f -> order.add(f.path().resolveUnder(staging)));
    }
    index.expire(spec.fullCount());

    Path indexStaged = indexPath.resolveUnder(staging);
    Files.createDirectories(indexStaged.getParent());
    Files.write(indexStaged, index.render(now));
    // Check what we wrote the way a client reads it, before anyone can see it.
    ProtocolJson.index(Files.readAllBytes(indexStaged), "new " + indexPath);
    sign(indexStaged);

    Path channelsStaged = staging.resolve("channels.json");
    Files.write(channelsStaged, channels(channelsJson, channelsFile, spec.channel(), spec.device(), indexPath));
    sign(channelsStaged);

    for (Path g : gpgFiles) {
      Path staged = staging.resolve("gpg").resolve(g.getFileName());
      Files.createDirectories(staged.getParent());
      Files.copy(g, staged, StandardCopyOption.REPLACE_EXISTING);
      Path asc = g.resolveSibling(g.getFileName() + ".asc");
      if (Files.exists(asc)) {
        Files.copy(asc, staged.resolveSibling(asc.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      order.add(staged);
    }
    order.add(indexStaged);
    order.add(channelsStaged);
    new TreeCommit(root, staging, observer).run(List.copyOf(order));
    PoolCleaner.clean(root, indexFile.getParent());
    return new PublishedImage(spec.channel(), spec.device(), version, indexFile, channelsFile);
  }

  /**
   * The files of the delta from {@code base} to the new image, as the reference's importer picks
   * them: per new file, the base's file with the same prefix; an unchanged file is left out (but
   * the keyring always goes in); a file with no counterpart, and changed version, keyring and
   * boot files, go in whole.
   */
  private List<PayloadFile> deltaFiles(Path staging, Image base, List<PayloadFile> files)
      throws IOException {
    List<PayloadFile> out = new ArrayList<>();
    for (PayloadFile f : files) {
      String prefix = f.path().prefix();
      var source = base.files().stream().filter(b -> b.prefix().equals(prefix)).findFirst();
      PayloadFile chosen;
      if (source.isEmpty() || ALWAYS_IN_DELTAS.equals(prefix)) {
        chosen = f;
      } else if (source.get().path().equals(f.path())) {
        continue;
      } else if (WHOLE_IN_DELTAS.contains(prefix)) {
        chosen = f;
      } else {
        chosen = delta(staging, source.get().path(), f);
      }
      out.add(new PayloadFile(chosen.path(), chosen.staged(), chosen.sha256(), chosen.size(), out.size()));
    }
    return out;
  }

  private PayloadFile delta(Path staging, RemotePath sourcePath, PayloadFile target) throws IOException {
    String name = stem(target.path().fileName()) + ".delta-" + stem(sourcePath.fileName()) + ".tar.xz";
    RemotePath path = RemotePath.of("delta", "/pool/" + name);
    Path published = path.resolveUnder(root);
    Path staged = path.resolveUnder(staging);
    if (Files.isRegularFile(published)) {
      return new PayloadFile(path, staged, Digests.sha256(published), Files.size(published), 0);
    }
    Path source = sourcePath.resolveUnder(root);
    if (!Files.isRegularFile(source)) {
      throw new IntegrityException("delta base file " + source + " is missing from the tree");
    }
    Path targetFile = Files.exists(target.staged()) ? target.staged() : target.path().resolveUnder(root);
    Files.createDirectories(staged.getParent());
    DeltaTarball.write(source, targetFile, staged, xzPreset);
    sign(staged);
    return new PayloadFile(path, staged, Digests.sha256(staged), Files.size(staged), 0);
  }

  private static String stem(String fileName) {
    return fileName.endsWith(".tar.xz") ? fileName.substring(0, fileName.length() - 7) : fileName;
  }

  /** {@code current} was already checked as a client reads it ({@link ProtocolJson#channels}). */
  private static byte[] channels(Optional<byte[]> current, Path channelsFile, String channelName,
      String deviceName, RemotePath indexPath) throws IOException {
    ObjectNode channels = current.isPresent()
        ? (ObjectNode) ProtocolJson.tree(current.get(), channelsFile.toString())
        : ProtocolJson.MAPPER.createObjectNode();
    JsonNode existing = channels.get(channelName);
    ObjectNode channel = existing instanceof ObjectNode o ? o : channels.putObject(channelName);
    ObjectNode devices = channel.get("devices") instanceof ObjectNode d ? d : channel.putObject("devices");
    ObjectNode device = devices.get(deviceName) instanceof ObjectNode d ? d : devices.putObject(deviceName);
    device.put("index", indexPath.value());
    device.remove("redirect");
    return Documents.render(channels);
  }

}
