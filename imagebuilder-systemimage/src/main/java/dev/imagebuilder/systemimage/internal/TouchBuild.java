package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.Downloader;
import dev.imagebuilder.systemimage.internal.pgp.SignatureVerifier;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.DeviceIndex;
import dev.imagebuilder.systemimage.internal.protocol.Image;
import dev.imagebuilder.systemimage.internal.protocol.ImageFile;
import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import dev.imagebuilder.systemimage.internal.protocol.SystemImageClient;
import dev.imagebuilder.systemimage.internal.publish.ChannelPublisher;
import dev.imagebuilder.systemimage.internal.publish.Digests;
import dev.imagebuilder.systemimage.internal.publish.PayloadFile;
import dev.imagebuilder.systemimage.internal.publish.PublishedImage;
import dev.imagebuilder.systemimage.internal.tar.TarXzWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One touch build: for each device, mirror the remote channel's latest full image except its
 * rootfs, build the custom rootfs, and publish the next full image of the target channel. Runs
 * on one worker thread, device after device; a device's failure does not stop the others. A
 * rootfs built once is reused for every device whose remote image has the same rootfs.
 */
final class TouchBuild implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TouchBuild.class);

  private final TouchImageRequest request;
  private final BuildContext context;
  private final BuildSetup setup;
  private final String targetChannel;
  private final List<String> onlyDevices;
  private final Map<String, Integer> attempts;
  private final Map<String, TargetStatus> targets = new ConcurrentHashMap<>();
  private final Map<String, Path> builtRootfs = new HashMap<>();
  private volatile boolean cancelled;
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  TouchBuild(TouchImageRequest request, BuildContext context, BuildSetup setup,
      List<String> onlyDevices, Map<String, Integer> attempts) {
    this.request = request;
    this.context = context;
    this.setup = setup;
    this.targetChannel = setup.targetChannel();
    this.onlyDevices = onlyDevices;
    this.attempts = attempts;
  }

  /** Declares the devices known before any I/O (named in the request or retried). */
  void declareKnownTargets() {
    if (!onlyDevices.isEmpty()) {
      declare(onlyDevices);
    }
  }

  private void declare(List<String> devices) {
    List<TargetStatus> list = new ArrayList<>();
    for (String d : devices) {
      TargetStatus t = TargetStatus.queued(d, labels(d)).withAttempt(attempts.getOrDefault(d, 1));
      targets.put(d, t);
      list.add(t);
    }
    context.declareTargets(list);
  }

  private Map<String, String> labels(String device) {
    return Map.of("device", device, "channel", targetChannel, "remote-channel", request.channel(),
        "series", request.series().toString());
  }

  @Override
  public void run() {
    started.countDown();
    try {
      runDevices();
    } finally {
      cleanWork();
      finished.countDown();
    }
  }

  /**
   * Stops the build: a running device stops at its next step (the core has interrupted the
   * worker, which aborts downloads and kills processes); waits, within {@code limit}, until the
   * worker has cleaned up, so a completed cancel leaves no work behind.
   */
  void cancel(java.time.Duration limit) {
    cancelled = true;
    try {
      if (started.getCount() == 0 && !finished.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("build {}: still cleaning up {} after cancel", context.buildId(), limit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    cancelRemaining("cancelled");
  }

  /** Built rootfs are published by hard link or copy; the work area is not needed any more. */
  private void cleanWork() {
    try {
      WorkTrees.delete(setup.workDirectory(context.buildId()), line -> LOG.warn("{}", line));
    } catch (IOException e) {
      LOG.warn("could not clean the work directory of build {}: {}", context.buildId(), e.toString());
    }
  }

  private void runDevices() {
    SystemImageClient client = setup.client();
    Map<String, ChannelEntry> channels;
    try {
      channels = readChannels(client);
    } catch (RuntimeException e) {
      if (targets.isEmpty()) {
        context.fail(e); // nothing to report it on: the devices are not known
      } else {
        targets.keySet().forEach(d -> fail(d, TargetState.FAILED_TO_BUILD, e));
      }
      return;
    }
    ChannelEntry channel = channels.get(request.channel());
    if (channel == null) {
      InvalidRequestException e = new InvalidRequestException("channel", "'" + request.channel()
          + "' is not a channel of " + client.base() + " (it has: "
          + String.join(", ", channels.keySet()) + ")");
      if (targets.isEmpty()) {
        context.fail(e);
      } else {
        targets.keySet().forEach(d -> fail(d, TargetState.FAILED_TO_BUILD, e));
      }
      return;
    }
    if (targets.isEmpty()) {
      List<String> devices = List.copyOf(channel.devices().keySet());
      if (devices.isEmpty()) {
        context.fail(new InvalidRequestException("channel", "'" + request.channel()
            + "' on " + client.base() + " has no devices"));
        return;
      }
      declare(devices);
    }
    if (setup.verifier().isEmpty()) {
      LOG.warn("No systemimage.keyring is configured: the signatures of {} are not verified;"
          + " remote files are checked against the sha256 and size in index.json only", client.base());
    }
    List<String> devices = List.copyOf(targets.keySet());
    for (int i = 0; i < devices.size(); i++) {
      if (cancelled || context.isClosed()) {
        break;
      }
      String device = devices.get(i);
      buildDevice(client, channels, channel, device);
      // A terminal state ends the build once every device has one: report it only when this
      // device's files (and, after the last device, the work area) are cleaned up.
      if (i == devices.size() - 1) {
        cleanWork();
      }
      context.update(targets.get(device));
    }
    if (cancelled || context.isClosed()) {
      cleanWork();
      cancelRemaining("the build was cancelled");
    }
  }

  private Map<String, ChannelEntry> readChannels(SystemImageClient client) {
    Optional<SignatureVerifier> v = setup.verifier();
    if (v.isEmpty()) {
      return client.channels();
    }
    byte[] json = client.get(new RemotePath("/channels.json"));
    byte[] asc = client.get(new RemotePath("/channels.json.asc"));
    v.get().verify(json, asc, client.uri(new RemotePath("/channels.json")).toString());
    return dev.imagebuilder.systemimage.internal.protocol.ProtocolJson.channels(json,
        client.uri(new RemotePath("/channels.json")).toString());
  }

  private void buildDevice(SystemImageClient client, Map<String, ChannelEntry> channels,
      ChannelEntry channel, String device) {
    Consumer<String> log = line -> context.log(device, line);
    Path staging = null;
    TargetState failure = TargetState.FAILED_TO_BUILD;
    try {
      set(device, TargetState.BUILDING, "resolving");
      ChannelEntry.DeviceEntry entry = channel.devices().get(device);
      if (entry == null) {
        throw new InvalidRequestException("devices", "'" + device + "' is not a device of channel '"
            + request.channel() + "' (it has: " + String.join(", ", channel.devices().keySet()) + ")");
      }
      if (entry.redirect() != null) {
        ChannelEntry other = channels.get(entry.redirect());
        entry = other == null ? null : other.devices().get(device);
        if (entry == null || entry.index() == null) {
          throw new IntegrityException("device '" + device + "' redirects to channel '"
              + channel.devices().get(device).redirect() + "', which does not serve it");
        }
      }
      DeviceIndex index = readIndex(client, entry.index());
      Image image = index.requireLatestFull(client.uri(entry.index()).toString());
      log.accept("remote " + request.channel() + "/" + device + " full image " + image.version()
          + " has " + image.files().size() + " files: "
          + image.files().stream().map(ImageFile::prefix).collect(Collectors.joining(", ")));
      ImageFile rootfs = findRootfs(image, device);

      ChannelPublisher publisher = setup.publisher();
      staging = publisher.newStaging(context.buildId() + "-" + device);
      List<ImageFile> toMirror = image.files().stream()
          .filter(f -> f != rootfs && !setup.settings().excludePrefixes().contains(f.prefix()))
          .toList();
      long total = toMirror.stream().mapToLong(ImageFile::size).sum() + rootfs.size();
      long[] done = {0};
      List<PayloadFile> payloads = new ArrayList<>();
      int order = 0;
      Map<String, String> detail = new LinkedHashMap<>();
      for (ImageFile f : image.files()) {
        if (f == rootfs) {
          Path remoteRootfs = fetch(client, f, device, done, total);
          Path built = rootfs(remoteRootfs, f, device, log);
          payloads.add(stage(publisher, staging, f.prefix(), built, Digests.sha256(built), order++));
          detail.put(f.prefix(), image.version() + "+custom");
        } else if (toMirror.contains(f)) {
          Path blob = fetch(client, f, device, done, total);
          // The Downloader verified this digest on the way in; no need to read the file again.
          payloads.add(stage(publisher, staging, f.prefix(), blob, f.checksum(), order++));
          detail.put(f.prefix(), Integer.toString(image.version()));
        } else {
          log.accept("not mirroring " + f.path() + ": prefix '" + f.prefix()
              + "' is regenerated for the new channel");
        }
        checkCancelled();
      }
      Optional<Path> keyring = setup.archiveMasterKeyring();
      if (keyring.isPresent()) {
        Path k = keyringPayload(staging, keyring.get());
        payloads.add(stage(publisher, staging, "keyring", k, Digests.sha256(k), order++));
        detail.put("keyring", "archive-master");
      }
      context.progress(device, 0.9, "publishing");
      set(device, TargetState.PUBLISHING, "publishing");
      failure = TargetState.FAILED_TO_PUBLISH;
      checkCancelled();
      String description = "remote=" + client.base() + "/" + request.channel() + "@" + image.version()
          + ",series=" + request.series()
          + ",ppas=" + request.ppas().stream().map(Object::toString).collect(Collectors.joining(" "))
          + ",packages=" + request.packages().stream().map(Object::toString).collect(Collectors.joining(" "));
      Settings s = setup.settings();
      PublishedImage published = publisher.publish(staging,
          new ChannelPublisher.ImageSpec(targetChannel, device, description, s.publicHost(),
              s.publicHttpPort(), s.publicHttpsPort()),
          payloads,
          v -> detail.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining(",")) + ",version=" + v,
          setup.gpgFiles());
      log.accept("published " + targetChannel + "/" + device + " version " + published.version());
      context.progress(device, 1.0, "published version " + published.version());
      Map<String, String> outputs = new LinkedHashMap<>();
      outputs.put("channel", targetChannel);
      outputs.put("device", device);
      outputs.put("version", Integer.toString(published.version()));
      outputs.put("index", published.index().toString());
      outputs.put("channels", published.channels().toString());
      outputs.put("publish-directory", s.publishDirectory().toAbsolutePath().toString());
      outputs.put("remote-version", Integer.toString(image.version()));
      setup.publicUrl("/" + targetChannel + "/" + device + "/index.json")
          .ifPresent(u -> outputs.put("index-url", u));
      targets.put(device, targets.get(device).withState(TargetState.SUCCEEDED, "published")
          .withOutputs(outputs));
    } catch (BuildCancelledException | InterruptedException | InterruptedIOException e) {
      cancelled = true;
      Thread.currentThread().interrupt();
      markCancelled(device);
    } catch (Exception e) {
      if (cancelled || context.isClosed()) {
        markCancelled(device);
      } else {
        LOG.debug("{} of build {} failed", device, context.buildId(), e);
        markFailed(device, failure, e);
      }
    } finally {
      ChannelPublisher.deleteTree(staging);
    }
  }

  private DeviceIndex readIndex(SystemImageClient client, RemotePath path) {
    Optional<SignatureVerifier> v = setup.verifier();
    byte[] json = client.get(path);
    if (v.isPresent()) {
      v.get().verify(json, client.get(path.withSuffix(".asc")), client.uri(path).toString());
    }
    return dev.imagebuilder.systemimage.internal.protocol.ProtocolJson.index(json,
        client.uri(path).toString());
  }

  private ImageFile findRootfs(Image image, String device) {
    List<ImageFile> matches = image.files().stream()
        .filter(f -> setup.settings().rootfsPrefix().matcher(f.prefix()).matches()).toList();
    if (matches.size() != 1) {
      throw new IntegrityException("image " + image.version() + " of " + request.channel() + "/"
          + device + " has " + matches.size() + " files whose prefix matches rootfs-prefix '"
          + setup.settings().rootfsPrefix() + "' (prefixes: " + image.files().stream()
              .map(ImageFile::prefix).collect(Collectors.joining(", "))
          + "); exactly one is needed: set imagebuilder.systemimage.rootfs-prefix");
    }
    return matches.get(0);
  }

  private Path fetch(SystemImageClient client, ImageFile f, String device, long[] done, long total)
      throws IOException {
    BlobStore blobs = setup.blobs();
    boolean cached = blobs.has(f.checksum(), f.size());
    context.log(device, (cached ? "already have " : "mirroring ") + f.path() + " (" + f.size()
        + " bytes, sha256 " + f.checksum() + ")");
    long before = done[0];
    Downloader.ProgressListener progress = (bytes, all) -> context.progress(device,
        0.6 * (before + bytes) / Math.max(1, total), "mirroring " + f.path().fileName());
    Path blob = blobs.fetch(client.uri(f.path()), f.checksum(), f.size(), progress);
    done[0] += f.size();
    context.progress(device, 0.6 * done[0] / Math.max(1, total), "mirrored " + f.path().fileName());
    Optional<SignatureVerifier> v = setup.verifier();
    if (v.isPresent()) {
      v.get().verify(blob, client.get(f.signature()), client.uri(f.path()).toString());
      context.log(device, "signature of " + f.path() + " verified");
    }
    return blob;
  }

  private Path rootfs(Path remote, ImageFile f, String device, Consumer<String> log)
      throws Exception {
    Path built = builtRootfs.get(f.checksum());
    if (built != null && Files.exists(built)) {
      log.accept("reusing the rootfs built from " + f.path() + " in this build");
      return built;
    }
    set(device, TargetState.BUILDING, "customizing rootfs");
    context.progress(device, 0.6, "customizing the rootfs");
    Path work = setup.workDirectory(context.buildId());
    Path output = work.resolve("rootfs-" + f.checksum() + ".tar.xz");
    setup.rootfsBuilder().build(remote, work.resolve(f.checksum()), output, request.series(),
        request.ppas(), request.packages(), device, log);
    builtRootfs.put(f.checksum(), output);
    return output;
  }

  /** Places a file in staging under its content-addressed pool name and signs it. */
  private PayloadFile stage(ChannelPublisher publisher, Path staging, String prefix, Path file,
      String sha, int order) throws IOException {
    long size = Files.size(file);
    RemotePath path = RemotePath.of("pool", "/pool/" + prefix + "-" + sha + ".tar.xz");
    Path published = path.resolveUnder(setup.settings().publishDirectory());
    Path staged = path.resolveUnder(staging);
    if (!(Files.isRegularFile(published) && Files.size(published) == size)) {
      BlobStore.place(file, staged);
      publisher.sign(staged);
    }
    return new PayloadFile(path, staged, sha, size, order);
  }

  /** The keyring payload: our archive-master where the recovery and client look for it. */
  private Path keyringPayload(Path staging, Path archiveMaster) throws IOException {
    Path out = staging.resolve("keyring-payload.tar.xz");
    Instant mtime = Files.getLastModifiedTime(archiveMaster).toInstant();
    try (TarXzWriter tar = TarXzWriter.create(out, 6)) {
      tar.directory("system", 0755, mtime);
      tar.directory("system/usr", 0755, mtime);
      tar.directory("system/usr/share", 0755, mtime);
      tar.directory("system/usr/share/system-image", 0755, mtime);
      tar.file("system/usr/share/system-image/archive-master.tar.xz",
          Files.readAllBytes(archiveMaster), 0644, mtime);
      Path asc = archiveMaster.resolveSibling(archiveMaster.getFileName() + ".asc");
      tar.file("system/usr/share/system-image/archive-master.tar.xz.asc",
          Files.readAllBytes(asc), 0644, mtime);
    }
    return out;
  }

  private void checkCancelled() throws InterruptedException {
    if (cancelled || context.isClosed() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedException();
    }
  }

  private void set(String device, TargetState state, String raw) {
    TargetStatus t = targets.get(device).withState(state, raw);
    targets.put(device, t);
    context.update(t);
  }

  private void fail(String device, TargetState state, Throwable e) {
    markFailed(device, state, e);
    context.update(targets.get(device));
  }

  /** Records a failure without reporting it yet (see the device loop). */
  private void markFailed(String device, TargetState state, Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    context.log(device, "failed: " + message);
    targets.put(device, targets.get(device).withState(state, "failed").withError(message));
  }

  private void markCancelled(String device) {
    TargetStatus t = targets.get(device);
    if (t != null && !t.state().isTerminal()) {
      targets.put(device, t.withState(TargetState.CANCELLED, "cancelled"));
    }
  }

  private void setCancelled(String device, String raw) {
    TargetStatus t = targets.get(device);
    if (t != null && !t.state().isTerminal()) {
      t = t.withState(TargetState.CANCELLED, raw);
      targets.put(device, t);
      context.update(t);
    }
  }

  /** Marks every unfinished target cancelled (from the job's cancel, or the loop). */
  void cancelRemaining(String reason) {
    cancelled = true;
    for (String d : List.copyOf(targets.keySet())) {
      setCancelled(d, reason);
    }
  }

  /** The ticket state: per device its state, version and attempt. Never secrets. */
  Map<String, Object> state() {
    Map<String, Object> devices = new LinkedHashMap<>();
    for (Map.Entry<String, TargetStatus> e : targets.entrySet()) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("state", e.getValue().state().name());
      d.put("attempt", e.getValue().attempt());
      String v = e.getValue().outputs().get("version");
      if (v != null) {
        d.put("version", Integer.parseInt(v));
      }
      devices.put(e.getKey(), d);
    }
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("targetChannel", targetChannel);
    state.put("devices", devices);
    return state;
  }

}
