package dev.imagebuilder.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.testkit.internal.systemimage.FakeDispatcher;
import dev.imagebuilder.testkit.internal.systemimage.FakeKeys;
import dev.imagebuilder.testkit.internal.systemimage.FakeTarballs;
import dev.imagebuilder.testkit.internal.systemimage.FakeTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import mockwebserver3.MockWebServer;

/**
 * A fake system-image server (mockwebserver3) serving a remote channel as UBports' server
 * publishes it: {@code channels.json}, each device's {@code index.json}, pool payloads (a rootfs
 * with the {@code system/} layout, device tarballs, the keyring payload), version tarballs and
 * the {@code gpg/} keyrings (archive-master, image-master, image-signing), every file with a
 * detached armoured {@code .asc} made by the matching key of the chain.
 *
 * <pre>{@code
 * try (FakeSystemImageServer si = FakeSystemImageServer.builder().devices("FP4", "bacon").build().start()) {
 *   URI server = si.baseUri();           // http://127.0.0.1:<port>
 *   String channel = si.channel();       // 20.04/arm64/android9plus/devel
 *   si.fail("device", Fault.CHECKSUM_MISMATCH);
 * }
 * }</pre>
 *
 * <p>Each device's index has an older full image, the latest full image ({@link #latestVersion()})
 * and a delta between them. Faults apply to payloads by file-name prefix.
 */
public final class FakeSystemImageServer implements AutoCloseable {
  /** Faults the server can inject when serving a payload. */
  public enum Fault {
    /** The bytes served differ from the index's checksum (same size). */
    CHECKSUM_MISMATCH,
    /** Half the body is sent, then the connection is closed. */
    TRUNCATED,
    /** 404. */
    NOT_FOUND,
    /** Served slowly (see {@link #slowBytesPerSecond(long)}). */
    SLOW
  }

  public static final String DEFAULT_CHANNEL = "20.04/arm64/android9plus/devel";

  private final String channel;
  private final List<String> devices;
  private final String rootfsPrefix;
  private final int latestVersion;
  private final FakeKeys keys;
  private final FakeTree tree;
  private final FakeDispatcher dispatcher;
  private final MockWebServer server = new MockWebServer();
  private final Map<String, String> rootfsPaths = new java.util.concurrent.ConcurrentHashMap<>();

  private FakeSystemImageServer(Builder b) {
    this.channel = b.channel;
    this.devices = List.copyOf(b.devices);
    this.rootfsPrefix = b.rootfsPrefix;
    this.latestVersion = b.latestVersion;
    this.keys = FakeKeys.shared();
    this.tree = new FakeTree(keys);
    byte[] archive = tree.get("/gpg/archive-master.tar.xz");
    byte[] keyringPayload = FakeTarballs.keyringPayload(archive, tree.get("/gpg/archive-master.tar.xz.asc"));
    byte[] oldRootfs = FakeTarballs.rootfs(b.series + "-old");
    byte[] rootfs = b.rootfs != null ? b.rootfs : FakeTarballs.rootfs(b.series);
    long seed = 1;
    for (String device : devices) {
      int old = latestVersion - 1;
      List<ObjectNode> oldFiles = List.of(
          tree.pool(rootfsPrefix, oldRootfs, 0),
          tree.pool("device", FakeTarballs.device(device + "-old", seed++), 1),
          tree.pool("keyring", keyringPayload, 2),
          tree.fileAt("/" + channel + "/" + device + "/version-" + old + ".tar.xz",
              FakeTarballs.version(channel, device, old, "system-image.fake.invalid"), 3));
      tree.addImage(channel, device, old, null, oldFiles);
      ObjectNode rootfsFile = tree.pool(rootfsPrefix, rootfs, 0);
      rootfsPaths.put(device, rootfsFile.get("path").asText());
      List<ObjectNode> files = List.of(rootfsFile,
          tree.pool("device", FakeTarballs.device(device, seed++), 1),
          tree.pool("keyring", keyringPayload, 2),
          tree.fileAt("/" + channel + "/" + device + "/version-" + latestVersion + ".tar.xz",
              FakeTarballs.version(channel, device, latestVersion, "system-image.fake.invalid"), 3));
      tree.addImage(channel, device, latestVersion, null, files);
      tree.addImage(channel, device, latestVersion, old, List.of(files.get(1), files.get(3)));
    }
    this.dispatcher = new FakeDispatcher(tree);
    server.setDispatcher(dispatcher);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The demo server, running on a free loopback port: channel {@value #DEFAULT_CHANNEL}, devices
   * FP4 and bacon. Like {@code FakeLaunchpad.demo()}, it is started; {@code builder()} makes one
   * to configure first.
   */
  public static FakeSystemImageServer demo() throws IOException {
    return demo(0);
  }

  /**
   * The demo server, running on {@code port} of the loopback address (0: any free one); for the
   * test kit's standalone {@code FakeServers} main ({@code --system-image-port}).
   */
  public static FakeSystemImageServer demo(int port) throws IOException {
    return builder().build().start(port);
  }

  /** Starts on a free loopback port. */
  public FakeSystemImageServer start() throws IOException {
    return start(0);
  }

  /** Starts on {@code port} of the loopback address. */
  public FakeSystemImageServer start(int port) throws IOException {
    server.start(InetAddress.getLoopbackAddress(), port);
    return this;
  }

  /** The server's root, such as {@code http://127.0.0.1:41234} (no trailing slash). */
  public URI baseUri() {
    String url = server.url("/").toString();
    return URI.create(url.substring(0, url.length() - 1));
  }

  public int port() {
    return server.getPort();
  }

  public String channel() {
    return channel;
  }

  public List<String> devices() {
    return devices;
  }

  /** The version of the latest full image of every device. */
  public int latestVersion() {
    return latestVersion;
  }

  /** The rootfs payloads' file-name prefix ({@code ubports} unless set). */
  public String rootfsPrefix() {
    return rootfsPrefix;
  }

  /** The path of the latest rootfs payload of a device ({@code /pool/ubports-<sha>.tar.xz}). */
  public String rootfsPath(String device) {
    return Objects.requireNonNull(rootfsPaths.get(device), device);
  }

  /** The armoured public key of image-signing, which signs channels.json, indexes and payloads. */
  public String signingPublicKey() {
    return keys.imageSigning.publicArmored();
  }

  /** The armoured public key of archive-master, the root of the fake's trust chain. */
  public String archiveMasterPublicKey() {
    return keys.archiveMaster.publicArmored();
  }

  /** The bytes the server holds at {@code path} (without faults), or null. */
  public byte[] file(String path) {
    return tree.get(path);
  }

  /** Every path the server holds (documents excepted). */
  public List<String> paths() {
    return new ArrayList<>(tree.files().keySet());
  }

  /** Injects {@code fault} for every payload whose file name starts with {@code prefix-}. */
  public FakeSystemImageServer fail(String prefix, Fault fault) {
    dispatcher.fault(prefix, FakeDispatcher.Fault.valueOf(fault.name()));
    return this;
  }

  public FakeSystemImageServer clearFaults() {
    dispatcher.clearFaults();
    return this;
  }

  /** The rate of {@link Fault#SLOW} responses. */
  public FakeSystemImageServer slowBytesPerSecond(long bytesPerSecond) {
    dispatcher.slowBytesPerSecond(bytesPerSecond);
    return this;
  }

  /**
   * Makes a device's index list a hostile path (such as {@code /../../etc/passwd}) for the file
   * with {@code prefix} in its latest full image; the index is still validly signed.
   */
  public FakeSystemImageServer hostilePath(String device, String prefix, String path) {
    tree.replacePath(channel, device, prefix, path);
    return this;
  }

  /** How many requests {@code path} received. */
  public int requestCount(String path) {
    return dispatcher.count(path);
  }

  @Override
  public void close() {
    server.close();
  }

  /** Configures a {@link FakeSystemImageServer}. */
  public static final class Builder {
    private String channel = DEFAULT_CHANNEL;
    private List<String> devices = List.of("FP4", "bacon");
    private String series = "focal";
    private String rootfsPrefix = "ubports";
    private int latestVersion = 261;
    private byte[] rootfs;

    private Builder() {}

    public Builder channel(String channel) {
      this.channel = channel;
      return this;
    }

    public Builder devices(String... devices) {
      this.devices = Arrays.asList(devices);
      return this;
    }

    public Builder series(String series) {
      this.series = series;
      return this;
    }

    /** The rootfs payload's prefix: {@code ubports} (default) or {@code ubuntu}. */
    public Builder rootfsPrefix(String prefix) {
      this.rootfsPrefix = prefix;
      return this;
    }

    public Builder latestVersion(int version) {
      this.latestVersion = version;
      return this;
    }

    /**
     * Serves this {@code .tar.xz} (entries under {@code system/}) as the latest rootfs instead of
     * the generated one, such as a real Debian rootfs for chroot tests.
     */
    public Builder rootfsTarball(Path tarXz) {
      try {
        this.rootfs = Files.readAllBytes(tarXz);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    public FakeSystemImageServer build() {
      return new FakeSystemImageServer(this);
    }
  }
}
