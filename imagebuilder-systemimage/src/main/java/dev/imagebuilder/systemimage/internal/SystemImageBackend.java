package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.apt.internal.PpaKeySource;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.systemimage.RootfsCustomizer;
import dev.imagebuilder.systemimage.internal.customize.ChrootAptCustomizer;
import dev.imagebuilder.systemimage.internal.customize.CommandTemplateCustomizer;
import dev.imagebuilder.systemimage.internal.pgp.AtomicFiles;
import dev.imagebuilder.systemimage.internal.pgp.SignatureVerifier;
import dev.imagebuilder.systemimage.internal.pgp.SigningKey;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.DeviceIndex;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import dev.imagebuilder.systemimage.internal.protocol.SystemImageClient;
import dev.imagebuilder.systemimage.internal.publish.ChannelPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The touch backend: builds and publishes system-image channels (see {@code docs/systemimage.md}). */
public final class SystemImageBackend implements Backend {
  /** Builds running in this process, stopped by {@link #close()}. */
  private final Set<TouchBuildJob> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final BackendContext context;
  private final Map<String, RootfsCustomizer> registered;
  private final ChannelPublisher.CommitObserver commitObserver;
  private final Map<Path, BlobStore> blobStores = new ConcurrentHashMap<>();

  public SystemImageBackend(BackendContext context, Map<String, RootfsCustomizer> registered,
      ChannelPublisher.CommitObserver commitObserver) {
    this.context = context;
    this.registered = Map.copyOf(registered);
    this.commitObserver = commitObserver;
  }

  private static TouchImageRequest touch(ImageRequest request) {
    if (request instanceof TouchImageRequest t) {
      return t;
    }
    throw new InvalidRequestException("image_type", "'" + request.imageType()
        + "' is not served by the systemimage backend (it builds 'touch' images)");
  }

  @Override
  public Plan plan(ImageRequest request) {
    TouchImageRequest r = touch(request);
    Settings settings = Settings.from(context.configuration(), context.stateDirectory());
    String target = ChannelNames.target(r);
    List<String> devices = r.devices();
    List<String> notes = new ArrayList<>();
    if (devices.isEmpty()) {
      SystemImageClient client = new SystemImageClient(context.http(), r.systemImageServer(),
          settings.requestTimeout());
      ChannelEntry channel = client.channels().get(r.channel());
      if (channel == null) {
        throw new InvalidRequestException("channel", "'" + r.channel() + "' is not a channel of "
            + r.systemImageServer());
      }
      devices = List.copyOf(channel.devices().keySet());
    }
    if (settings.keyring().isEmpty()) {
      notes.add("no systemimage.keyring configured: remote signatures will not be verified,"
          + " only sizes and sha256 from index.json");
    }
    notes.add("publishes into " + settings.publishDirectory() + " as channel " + target);
    List<PlannedTarget> targets = new ArrayList<>();
    for (String d : devices) {
      targets.add(new PlannedTarget(d, Labels.of(r, target, d),
          r.channel() + "/" + d + " from " + r.systemImageServer() + " -> " + target + "/" + d
              + " (rootfs + " + r.ppas().size() + " PPAs, " + r.packages().size() + " packages)"));
    }
    return new Plan(r, "systemimage", targets, notes);
  }

  /** Checks the request and this backend's configuration (keys, customizer) before any start. */
  @Override
  public void validate(ImageRequest request) {
    setup(touch(request));
  }

  @Override
  public BuildJob start(ImageRequest request, BuildContext buildContext) {
    TouchImageRequest r = touch(request);
    return launch(r, buildContext, r.devices(), Map.of());
  }

  @Override
  public BuildJob retry(ImageRequest request, Map<String, Object> state, Set<String> targetKeys,
      BuildContext buildContext) {
    TouchImageRequest r = touch(request);
    Map<String, Integer> attempts = new LinkedHashMap<>();
    Map<String, Map<String, Object>> devices = devices(state);
    for (String key : targetKeys) {
      Object a = devices.getOrDefault(key, Map.of()).get("attempt");
      attempts.put(key, (a instanceof Number n ? n.intValue() : 1) + 1);
    }
    return launch(r, buildContext, List.copyOf(targetKeys), attempts);
  }

  private BuildJob launch(TouchImageRequest r, BuildContext buildContext, List<String> devices,
      Map<String, Integer> attempts) {
    BuildSetup setup = setup(r);
    TouchBuild build = new TouchBuild(r, buildContext, setup, devices, attempts);
    build.declareKnownTargets();
    TouchBuildJob job = new TouchBuildJob(build);
    running.add(job);
    buildContext.execute(() -> {
      try {
        build.run();
      } finally {
        running.remove(job);
      }
    });
    return job;
  }

  /** Mirroring, the rootfs and publication run here: the build stops with the process. */
  @Override
  public boolean runsInProcess() {
    return true;
  }

  /** Stops every build still running here and waits (bounded) until its work area is removed. */
  @Override
  public void close() {
    for (TouchBuildJob job : java.util.List.copyOf(running)) {
      job.cancel();
    }
  }

  /**
   * Re-attaches to a build of an earlier process. Publication is local work that died with that
   * process, so nothing runs again: devices recorded as published are reported so (checked
   * against the tree), the others as failed, to be retried.
   */
  @Override
  public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext buildContext) {
    TouchImageRequest r = touch(request);
    Settings settings = Settings.from(context.configuration(), context.stateDirectory());
    String channel = String.valueOf(state.getOrDefault("targetChannel", ChannelNames.target(r)));
    List<TargetStatus> targets = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> e : devices(state).entrySet()) {
      String device = e.getKey();
      Object attempt = e.getValue().get("attempt");
      TargetStatus t = TargetStatus.queued(device, Labels.of(r, channel, device))
          .withAttempt(attempt instanceof Number n ? Math.max(1, n.intValue()) : 1);
      Object version = e.getValue().get("version");
      Path index = RemotePath.of("index", "/" + channel + "/" + device + "/index.json")
          .resolveUnder(settings.publishDirectory());
      Object intent = e.getValue().get("publishing");
      Optional<DeviceIndex> published = readIndex(index); // what the tree holds: read once per device
      OptionalInt reconciled = "SUCCEEDED".equals(e.getValue().get("state"))
          ? OptionalInt.empty()
          : intent instanceof String detail ? published.map(i -> publishedWith(i, detail)).orElse(OptionalInt.empty())
          : OptionalInt.empty();
      if ("SUCCEEDED".equals(e.getValue().get("state")) && version instanceof Number v
          && published.map(i -> i.images().stream().anyMatch(image -> image.version() == v.intValue())).orElse(false)) {
        t = t.withState(TargetState.SUCCEEDED, "published").withOutputs(Map.of(
            "channel", channel, "device", device, "version", Integer.toString(v.intValue()),
            "index", index.toString()));
      } else if (reconciled.isPresent()) {
        // Published, then the process died before recording it: the tree says so.
        t = t.withState(TargetState.SUCCEEDED, "published (found in the tree)").withOutputs(Map.of(
            "channel", channel, "device", device, "version", Integer.toString(reconciled.getAsInt()),
            "index", index.toString()));
      } else {
        t = t.withState(TargetState.FAILED_TO_BUILD, "interrupted").withError(
            "the process running this build ended before the device was published; retry it");
      }
      targets.add(t);
    }
    buildContext.declareTargets(targets);
    Map<String, Object> kept = Map.copyOf(state);
    return new BuildJob() {
      @Override
      public void cancel() {}

      @Override
      public Map<String, Object> state() {
        return kept;
      }
    };
  }

  /**
   * The version of the full image in {@code index} whose {@code version_detail} is {@code detail}
   * plus its own {@code version=}: the one a publication recorded before it began.
   */
  private static OptionalInt publishedWith(DeviceIndex index, String detail) {
    return index.images().stream()
        .filter(i -> i.isFull() && (detail + ",version=" + i.version()).equals(i.versionDetail()))
        .mapToInt(i -> i.version()).max();
  }

  /** The device's published index, or empty when it is missing or unreadable (then nothing counts as published). */
  private static Optional<DeviceIndex> readIndex(Path index) {
    try {
      return Optional.of(ProtocolJson.index(Files.readAllBytes(index), index.toString()));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> devices(Map<String, Object> state) {
    Object d = state.get("devices");
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    if (d instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k),
          v instanceof Map<?, ?> vm ? (Map<String, Object>) vm : Map.of()));
    }
    return out;
  }

  /** Resolves and checks the configuration; bad values fail here, before anything runs. */
  BuildSetup setup(TouchImageRequest r) {
    Configuration c = context.configuration();
    Settings s = Settings.from(c, context.stateDirectory());
    String keySource = s.signingKeySource().orElseThrow(() -> new InvalidRequestException(
        c.qualified("signing-key"), "is not configured: an image-signing secret key (armoured file,"
            + " or the key itself in " + c.environmentName("signing-key") + ") is needed to sign the"
            + " channel; make one with dev.imagebuilder.systemimage.KeyTool"));
    SigningKey key = SigningKey.load(c.qualified("signing-key"), keySource, s.signingKeyPassphrase());
    Optional<SignatureVerifier> verifier = s.keyring().map(p -> SignatureVerifier.load(c.qualified("keyring"), p));
    PpaKeySource keys = s.ppa().keySource(context.http(), s.requestTimeout());
    if (s.publicAddress().isEmpty()) {
      throw new InvalidRequestException(c.qualified("public-host"), "is not configured: every"
          + " published version tells devices (channel.ini 'base') which host to ask for updates;"
          + " set it, or " + c.qualified("public-url") + " (such as https://system-image.example.org)");
    }
    RootfsCustomizer customizer = customizer(c, s);
    try {
      if (!Files.isDirectory(s.publishDirectory())) {
        Files.createDirectories(s.publishDirectory());
        // Served by a web server running as another user: it must be able to enter it.
        AtomicFiles.makePublic(s.publishDirectory());
      }
    } catch (java.io.IOException e) {
      throw new InvalidRequestException(c.qualified("publish-directory"),
          "cannot create " + s.publishDirectory() + ": " + e.getMessage());
    }
    BlobStore blobs = blobStores.computeIfAbsent(s.cacheDirectory().toAbsolutePath().normalize(),
        dir -> new BlobStore(dir, context.downloader()));
    return new BuildSetup(s, ChannelNames.target(r),
        new VerifyingClient(new SystemImageClient(context.http(), r.systemImageServer(),
            s.requestTimeout()), verifier),
        new ChannelPublisher(s.publishDirectory(), key, commitObserver, s.xzPreset()), blobs,
        new RootfsBuilder(keys, s.ppa().urlTemplate(), customizer, context.processes(),
            s.xzPreset()));
  }

  private RootfsCustomizer customizer(Configuration c, Settings s) {
    String name = s.customizer();
    if (registered.containsKey(name)) {
      return registered.get(name);
    }
    switch (name) {
      case "chroot":
        return new ChrootAptCustomizer(s.customizeTimeout());
      case "command":
        return new CommandTemplateCustomizer(c.qualified("customizer-command"),
            s.customizerCommand().orElseThrow(), s.customizeTimeout());
      default:
        for (RootfsCustomizer found : ServiceLoader.load(RootfsCustomizer.class)) {
          if (found.name().equals(name)) {
            return found;
          }
        }
        throw new InvalidRequestException(c.qualified("customizer"), "'" + name
            + "' is not a customizer (chroot, command" + (registered.isEmpty() ? "" : ", "
                + String.join(", ", registered.keySet())) + ", or one found by ServiceLoader)");
    }
  }

  /** The job of a running touch build. */
  private static final class TouchBuildJob implements BuildJob {
    private final TouchBuild build;

    TouchBuildJob(TouchBuild build) {
      this.build = build;
    }

    @Override
    public void cancel() {
      build.cancel(java.time.Duration.ofSeconds(60));
    }

    @Override
    public Map<String, Object> state() {
      return build.state();
    }
  }
}
