package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.apt.internal.PpaAptSource;
import dev.imagebuilder.apt.internal.PpaKeySource;
import dev.imagebuilder.glance.GlancePublisher;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@link CloudImageRequest}s on this machine with libguestfs. A build is local work, so
 * resuming in a new process cannot re-attach to a running {@code virt-customize}: it reports a
 * finished image that is still in place, and otherwise a failed target that {@code retry()}
 * builds again.
 */
public final class GuestfsBackend implements Backend {
  static final String DEFAULT_TARGET_KEY = "image";
  /** Each of the two requests for a PPA key (Launchpad, then the keyserver). */
  private static final Duration KEY_REQUEST_TIMEOUT = Duration.ofMinutes(1);

  private final BackendContext backendContext;
  /** Builds running in this process: close() stops them and waits until their work files are gone. */
  private final Set<CloudImageBuild> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public GuestfsBackend(BackendContext backendContext) {
    this.backendContext = backendContext;
  }

  /**
   * Checks the configuration this request would be built with, and a configured key file, so
   * that a bad value is rejected before anything is started.
   */
  @Override
  public void validate(ImageRequest request) {
    CloudImageRequest cloud = cloud(request);
    GuestfsSettings settings = settings();
    if (!cloud.ppas().isEmpty() && cloud.series().codename().isEmpty()) {
      // apt names suites by codename; a bare version would give a sources file apt cannot use.
      throw new InvalidRequestException("series", "'" + cloud.series()
          + "' has no known codename, and PPAs are added by codename: give the codename instead");
    }
    if (!cloud.ppas().isEmpty() && settings.ppa().keyFile().isPresent()) {
      keySource(settings).keyFor(cloud.ppas().get(0));
    }
    // A Glance destination's cloud must be configured: clouds.yaml or the OS_* variables.
    delivery(cloud, settings, "validate");
  }

  @Override
  public Plan plan(ImageRequest request) {
    CloudImageRequest cloud = cloud(request);
    GuestfsSettings settings = settings();
    List<String> notes = new ArrayList<>();
    notes.add("downloads " + cloud.image() + " unless a verified copy is cached in "
        + settings.cacheDirectory() + "; "
        + SumsSignature.read(backendContext.configuration(), backendContext.processes()).describe(cloud.image()));
    if (!cloud.ppas().isEmpty()) {
      notes.add("PPA signing keys from " + settings.ppa().describeKeySource());
    }
    notes.add(cloud.packages().isEmpty() ? "installs no packages"
        : "installs with apt in the image: " + cloud.packages().stream().map(Object::toString)
            .collect(java.util.stream.Collectors.joining(", "))
            + (cloud.ppas().isEmpty() ? "" : " (also from " + cloud.ppas().stream().map(p -> p.reference())
                .collect(java.util.stream.Collectors.joining(", ")) + ")"));
    List<String> sealing = DiskFinisher.describe(FinishSettings.read(backendContext.configuration()),
        settings.outputFormat());
    notes.add("builds a " + settings.outputFormat().qemuName() + " image"
        + (sealing.isEmpty() ? "" : " (" + String.join(", ", sealing) + ")") + " and "
        + delivery(cloud, settings, "<build id>").describe());
    String description = "customize " + cloud.image() + " for " + cloud.series().codenameOrVersion()
        + " with " + cloud.ppas().size() + " PPA(s) and " + cloud.packages().size() + " package(s)";
    return new Plan(request, "guestfs",
        List.of(new PlannedTarget(targetKey(settings), labels(cloud, settings), description)), notes);
  }

  @Override
  public BuildJob start(ImageRequest request, BuildContext context) {
    return newBuild(cloud(request), context, 1);
  }

  @Override
  public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
    CloudImageRequest cloud = cloud(request);
    GuestfsSettings settings = settings();
    TargetStatus saved = TargetStatus.queued(stringOf(state.get("key"), targetKey(settings)),
        labels(cloud, settings)).withAttempt(attemptOf(state));
    TargetStatus resumed = resumedStatus(saved, state);
    context.declareTargets(List.of(resumed));
    return new BuildJob() {
      @Override
      public void cancel() {}

      @Override
      public Map<String, Object> state() {
        return stateOf(resumed);
      }
    };
  }

  @Override
  public BuildJob retry(ImageRequest request, Map<String, Object> state, Set<String> targetKeys,
      BuildContext context) {
    return newBuild(cloud(request), context, attemptOf(state) + 1);
  }

  private CloudImageBuild newBuild(CloudImageRequest request, BuildContext context, int attempt) {
    // Read before anything starts, so a bad configuration value rejects the request outright.
    GuestfsSettings settings = settings();
    PpaKeySource keys = keySource(settings);
    BaseImageStore store = new BaseImageStore(backendContext.downloader(), backendContext.http(),
        settings.cacheDirectory(), SumsSignature.read(backendContext.configuration(), backendContext.processes()));
    TargetStatus initial = TargetStatus.queued(targetKey(settings), labels(request, settings)).withAttempt(attempt);
    CloudImageBuild build = new CloudImageBuild(request, context, settings, store, keys,
        backendContext.processes(), initial, outputPath(settings, request, context.buildId()),
        delivery(request, settings, context.buildId()), FinishSettings.read(backendContext.configuration()));
    running.add(build);
    build.whenFinished(() -> running.remove(build));
    build.start();
    return build;
  }

  /** virt-customize runs here: the build stops with the process. */
  @Override
  public boolean runsInProcess() {
    return true;
  }

  /** Stops every build still running and waits (bounded) until its work files are removed. */
  @Override
  public void close() {
    for (CloudImageBuild build : List.copyOf(running)) {
      build.cancel();
    }
  }

  /**
   * Where the request's image goes. For Glance the cloud's configuration is read here, so that
   * a cloud that is not configured rejects the request before anything is built.
   */
  private ImageDelivery delivery(CloudImageRequest request, GuestfsSettings settings, String buildId) {
    Path output = outputPath(settings, request, buildId);
    if (!request.destination().isGlance()) {
      return new FileDelivery(output);
    }
    PublishSettings publish = PublishSettings.read(backendContext.configuration());
    GlancePublisher publisher = GlancePublisher.forCloud(backendContext.http(),
        request.destination().cloud(),
        name -> backendContext.configuration().environmentVariable(name).orElse(null),
        "destination", publish.options());
    String name = output.getFileName().toString();
    name = name.substring(0, name.length() - settings.outputFormat().extension().length());
    return new GlanceDelivery(publisher, publish, request, buildId, name, settings.outputFormat());
  }

  private PpaKeySource keySource(GuestfsSettings settings) {
    return settings.ppa().keySource(backendContext.http(), KEY_REQUEST_TIMEOUT);
  }

  private GuestfsSettings settings() {
    return GuestfsSettings.read(backendContext.configuration(), backendContext.stateDirectory());
  }

  static Path outputPath(GuestfsSettings settings, CloudImageRequest request, String buildId) {
    String extension = settings.outputFormat().extension();
    String name = settings.outputName()
        .map(n -> n.endsWith(extension) ? n : n + extension)
        .orElseGet(() -> defaultStem(request) + "-" + PpaAptSource.fileSafe(buildId) + extension);
    return settings.outputDirectory().resolve(name).toAbsolutePath();
  }

  /** The base image's name without its disk extension, then the series: {@code jammy-server-cloudimg-amd64-jammy}. */
  private static String defaultStem(CloudImageRequest request) {
    String name = BaseImageStore.fileName(request.image());
    name = name.replaceFirst("\\.(img|qcow2|raw|disk|qcow)$", "");
    return PpaAptSource.fileSafe(name + "-" + request.series().codenameOrVersion());
  }

  private static String targetKey(GuestfsSettings settings) {
    return settings.outputName().orElse(DEFAULT_TARGET_KEY);
  }

  private static Map<String, String> labels(CloudImageRequest request, GuestfsSettings settings) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("image", request.image().toString());
    labels.put("series", request.series().codenameOrVersion());
    labels.put("format", settings.outputFormat().qemuName());
    if (request.destination().isGlance()) {
      labels.put("destination", request.destination().value());
    }
    return labels;
  }

  private static CloudImageRequest cloud(ImageRequest request) {
    if (request instanceof CloudImageRequest cloud) {
      return cloud;
    }
    throw new InvalidRequestException("image_type",
        "'" + request.imageType() + "' is not served by the guestfs backend (it builds cloud images)");
  }

  private static TargetStatus resumedStatus(TargetStatus saved, Map<String, Object> state) {
    Object outputs = state.get("outputs");
    if ("SUCCEEDED".equals(state.get("state")) && outputs instanceof Map<?, ?> map) {
      Map<String, String> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
      if (stillInPlace(out)) {
        return saved.withState(TargetState.SUCCEEDED, "built").withOutputs(out);
      }
      return saved.withState(TargetState.FAILED_TO_BUILD, "missing")
          .withError("the image built earlier is gone or changed size: " + out.get("path"));
    }
    if (state.get("state") instanceof String s && isTerminal(s)) {
      return saved.withState(TargetState.valueOf(s), "resumed")
          .withError(state.get("error") == null ? null : String.valueOf(state.get("error")));
    }
    return saved.withState(TargetState.FAILED_TO_BUILD, "interrupted")
        .withError("the process that ran virt-customize ended before the image was finished;"
            + " retry to build it again");
  }

  private static boolean isTerminal(String state) {
    try {
      return TargetState.valueOf(state).isTerminal();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean stillInPlace(Map<String, String> outputs) {
    if (outputs.containsKey(GlanceDelivery.IMAGE_ID)) {
      // Published and verified before the ticket said so; Glance, not this disk, holds it now.
      return true;
    }
    try {
      Path path = Path.of(outputs.getOrDefault("path", ""));
      return Files.isRegularFile(path) && Long.toString(Files.size(path)).equals(outputs.get("size"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The ticket state of a target: its key, state, attempt, error and outputs. Never secrets. */
  static Map<String, Object> stateOf(TargetStatus status) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("key", status.key());
    state.put("state", status.state().name());
    state.put("attempt", status.attempt());
    if (status.errorSummary() != null) {
      state.put("error", status.errorSummary());
    }
    if (!status.outputs().isEmpty()) {
      state.put("outputs", new LinkedHashMap<>(status.outputs()));
    }
    return state;
  }

  private static int attemptOf(Map<String, Object> state) {
    return state.get("attempt") instanceof Number n ? Math.max(1, n.intValue()) : 1;
  }

  private static String stringOf(Object value, String fallback) {
    return value instanceof String s && !s.isBlank() ? s : fallback;
  }
}
