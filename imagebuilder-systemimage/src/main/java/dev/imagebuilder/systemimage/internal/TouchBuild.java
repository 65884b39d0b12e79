package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.BuildCancelledException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.Printable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One touch build: the device loop and the targets' states. For each device a
 * {@link DevicePublication} mirrors the remote channel's latest full image except its rootfs,
 * builds the custom rootfs and publishes the next image of the target channel. Runs on one worker
 * thread, device after device; a device's failure does not stop the others. Every line that
 * reaches the build log or an error summary is escaped ({@link Printable}): much of it quotes the
 * remote server.
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
  /** Per device, the version_detail of the image being published, recorded before the tree changes. */
  private final Map<String, String> publishing = new ConcurrentHashMap<>();
  private volatile boolean cancelled;
  /** This build's work area, once claimed. */
  private volatile WorkDirectory work;
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
    return Labels.of(request, targetChannel, device);
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
  void cancel(Duration limit) {
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

  /** Built rootfs are staged by copy; the work area is not needed any more. */
  private void cleanWork() {
    WorkDirectory w = work;
    if (w != null) {
      w.close();
    }
  }

  private void runDevices() {
    VerifyingClient remote = setup.remote();
    Map<String, ChannelEntry> channels;
    ChannelEntry channel;
    try {
      channels = remote.channels();
      channel = channels.get(request.channel());
      if (channel == null) {
        throw new InvalidRequestException("channel", "'" + request.channel()
            + "' is not a channel of " + remote.base() + " (it has: "
            + String.join(", ", channels.keySet()) + ")");
      }
    } catch (RuntimeException e) {
      if (targets.isEmpty()) {
        context.fail(e); // nothing to report it on: the devices are not known
      } else {
        targets.keySet().forEach(d -> fail(d, TargetState.FAILED_TO_BUILD, e));
      }
      return;
    }
    if (targets.isEmpty()) {
      List<String> devices = List.copyOf(channel.devices().keySet());
      if (devices.isEmpty()) {
        context.fail(new InvalidRequestException("channel", "'" + request.channel()
            + "' on " + remote.base() + " has no devices"));
        return;
      }
      declare(devices);
    }
    if (!remote.verifies()) {
      LOG.warn("No systemimage.keyring is configured: the signatures of {} are not verified;"
          + " remote files are checked against the sha256 and size in index.json only", remote.base());
    }
    RootfsStep rootfs;
    try {
      work = setup.claimWork(context.buildId(), line -> LOG.warn("{}", line));
      rootfs = new RootfsStep(request, setup.rootfsBuilder(), work.path());
    } catch (IOException e) {
      targets.keySet().forEach(d -> fail(d, TargetState.FAILED_TO_BUILD, e));
      return;
    }
    DevicePublication publication = new DevicePublication(setup, rootfs, context.buildId());
    List<String> devices = List.copyOf(targets.keySet());
    for (int i = 0; i < devices.size(); i++) {
      if (cancelled || context.isClosed()) {
        break;
      }
      String device = devices.get(i);
      publish(publication, channels, channel, device);
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

  private void publish(DevicePublication publication, Map<String, ChannelEntry> channels,
      ChannelEntry channel, String device) {
    Report report = new Report(device);
    try {
      Map<String, String> outputs = publication.run(channels, channel, device, report);
      report.log("published " + targetChannel + "/" + device + " version " + outputs.get("version"));
      context.progress(device, 1.0, "published version " + outputs.get("version"));
      targets.put(device, targets.get(device).withState(TargetState.SUCCEEDED, "published")
          .withOutputs(outputs));
      context.checkpoint(state()); // the version published, before the target shows it
    } catch (BuildCancelledException | InterruptedException | InterruptedIOException e) {
      cancelled = true;
      Thread.currentThread().interrupt();
      markCancelled(device);
    } catch (Exception e) {
      if (cancelled || context.isClosed()) {
        markCancelled(device);
      } else {
        LOG.debug("{} of build {} failed", device, context.buildId(), e);
        markFailed(device, report.failure, e);
      }
    }
  }

  /** A device's view of the build: its state changes, progress and (escaped) log lines. */
  private final class Report implements DeviceReport {
    private final String device;
    TargetState failure = TargetState.FAILED_TO_BUILD;

    Report(String device) {
      this.device = device;
    }

    @Override
    public void state(TargetState state, String raw) {
      if (state == TargetState.PUBLISHING) {
        failure = TargetState.FAILED_TO_PUBLISH;
      }
      set(device, state, raw);
    }

    @Override
    public void progress(double fraction, String message) {
      context.progress(device, fraction, Printable.escape(message));
    }

    @Override
    public void log(String line) {
      context.log(device, Printable.escape(line));
    }

    @Override
    public void publishing(String versionDetail) {
      publishing.put(device, versionDetail);
      context.checkpoint(TouchBuild.this.state());
    }

    @Override
    public void checkCancelled() throws InterruptedException {
      if (cancelled || context.isClosed() || Thread.currentThread().isInterrupted()) {
        throw new InterruptedException();
      }
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
    String message = Printable.escape(e.getMessage() == null ? e.toString() : e.getMessage());
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
      String intent = publishing.get(e.getKey());
      if (intent != null) {
        d.put("publishing", intent);
      }
      devices.put(e.getKey(), d);
    }
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("targetChannel", targetChannel);
    state.put("devices", devices);
    return state;
  }
}
