package dev.imagebuilder.systemimage.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.spi.WorkDirectory;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.ImageFile;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import dev.imagebuilder.systemimage.internal.protocol.RemotePath;
import dev.imagebuilder.systemimage.internal.publish.ChannelPublisher;
import dev.imagebuilder.systemimage.internal.publish.Digests;
import dev.imagebuilder.systemimage.internal.publish.PayloadFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One device's publication, as a sequence of steps: resolve the remote image, mirror its files,
 * build the rootfs, stage and sign the payloads, publish. Everything it stages is removed at the
 * end, published or not.
 */
final class DevicePublication {
  /** A version_detail value from a remote sidecar: one line of channel.ini, one list entry. */
  private static final Pattern DETAIL_ENTRY = Pattern.compile("[^,\\p{Cntrl}]+=[^,\\p{Cntrl}]*");

  private final BuildSetup setup;
  private final RootfsStep rootfs;
  private final String buildId;

  DevicePublication(BuildSetup setup, RootfsStep rootfs, String buildId) {
    this.setup = setup;
    this.rootfs = rootfs;
    this.buildId = buildId;
  }

  /** Publishes {@code device}; returns the target's outputs. */
  Map<String, String> run(Map<String, ChannelEntry> channels, ChannelEntry channel, String device,
      DeviceReport report) throws Exception {
    report.state(TargetState.BUILDING, "resolving");
    VerifyingClient remote = setup.remote();
    Settings s = setup.settings();
    ResolveStep.Resolved r = new ResolveStep(remote, s.rootfsPrefix(), s.excludePrefixes())
        .call(channels, channel, device);
    report.log("remote " + channel.name() + "/" + device + " full image " + r.image().version()
        + " has " + r.image().files().size() + " files: "
        + r.image().files().stream().map(ImageFile::prefix).collect(Collectors.joining(", ")));
    r.regenerated().forEach(f -> report.log("not mirroring " + f.path() + ": prefix '" + f.prefix()
        + "' is regenerated for the new channel"));

    ChannelPublisher publisher = setup.publisher();
    try (WorkDirectory stagingDirectory = publisher.newStaging(buildId + "-" + device, report::log)) {
      Path staging = stagingDirectory.path();
      long total = r.mirrored().stream().mapToLong(ImageFile::size).sum() + r.rootfs().size();
      MirrorStep mirror = new MirrorStep(remote, setup.blobs(), report, total);
      StageStep stage = new StageStep(publisher, staging);
      List<PayloadFile> payloads = new ArrayList<>();
      List<String> detail = new ArrayList<>();
      for (ImageFile f : r.image().files()) {
        if (f == r.rootfs()) {
          Path built = rootfs.call(mirror.call(f), f, device, report);
          String sha = Digests.sha256(built);
          payloads.add(stage.call(f.prefix(), built, sha, payloads.size()));
          // As the reference's http generator names a file it has no build id for.
          detail.add(f.prefix() + "=" + sha);
        } else if (r.mirrored().contains(f)) {
          Path blob = mirror.call(f);
          // The Downloader verified this digest on the way in; no need to read the file again.
          payloads.add(stage.call(f.prefix(), blob, f.checksum(), payloads.size()));
          sidecarDetail(remote, f, report).ifPresent(detail::add);
        }
        report.checkCancelled();
      }
      Optional<Path> keyring = setup.archiveMasterKeyring();
      if (keyring.isPresent()) {
        Path k = stage.keyringPayload(keyring.get());
        payloads.add(stage.call("keyring", k, Digests.sha256(k), payloads.size()));
        detail.add("keyring=archive-master");
      }
      report.progress(0.9, "publishing");
      report.state(TargetState.PUBLISHING, "publishing");
      report.checkCancelled();
      report.publishing(String.join(",", detail));
      return new PublishStep(setup, publisher).call(staging, device, payloads, detail,
          r.image().version());
    }
  }

  /**
   * The remote generator's {@code version_detail} for a mirrored file, from its sidecar
   * {@code .json} when the remote has one, as the reference's {@code remote-system-image}
   * generator appends it.
   */
  private static Optional<String> sidecarDetail(VerifyingClient remote, ImageFile f, DeviceReport report) {
    String path = f.path().value();
    if (!path.endsWith(".tar.xz")) {
      return Optional.empty();
    }
    RemotePath sidecar = RemotePath.of("sidecar", path.substring(0, path.length() - 7) + ".json");
    try {
      Optional<byte[]> json = remote.optional(sidecar);
      if (json.isEmpty()) {
        return Optional.empty();
      }
      JsonNode detail = ProtocolJson.tree(json.get(), sidecar.value()).get("version_detail");
      if (detail != null && detail.isTextual() && DETAIL_ENTRY.matcher(detail.asText()).matches()) {
        return Optional.of(detail.asText());
      }
      report.log("ignoring the version_detail of " + sidecar + ": not one name=value entry");
    } catch (RuntimeException e) {
      report.log("could not read " + sidecar + ": " + e.getMessage());
    }
    return Optional.empty();
  }
}
