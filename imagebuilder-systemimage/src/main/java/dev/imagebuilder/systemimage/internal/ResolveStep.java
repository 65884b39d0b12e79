package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.Image;
import dev.imagebuilder.systemimage.internal.protocol.ImageFile;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Step 1: finds what to start from. Follows a device redirect, reads the device's index (signed
 * when a keyring is configured), takes the latest full image and picks out its rootfs (the one
 * file whose prefix matches {@code rootfs-prefix}) and the files to mirror (all others but the
 * excluded prefixes, which the publication makes anew).
 */
final class ResolveStep {
  /** The remote image a device's publication starts from. */
  record Resolved(Image image, ImageFile rootfs, List<ImageFile> mirrored, List<ImageFile> regenerated) {}

  private final VerifyingClient remote;
  private final Pattern rootfsPrefix;
  private final List<String> excludedPrefixes;

  ResolveStep(VerifyingClient remote, Pattern rootfsPrefix, List<String> excludedPrefixes) {
    this.remote = remote;
    this.rootfsPrefix = rootfsPrefix;
    this.excludedPrefixes = excludedPrefixes;
  }

  Resolved call(Map<String, ChannelEntry> channels, ChannelEntry channel, String device) {
    ChannelEntry.DeviceEntry entry = channel.devices().get(device);
    if (entry == null) {
      throw new InvalidRequestException("devices", "'" + device + "' is not a device of channel '"
          + channel.name() + "' (it has: " + String.join(", ", channel.devices().keySet()) + ")");
    }
    if (entry.redirect() != null) {
      ChannelEntry other = channels.get(entry.redirect());
      entry = other == null ? null : other.devices().get(device);
      if (entry == null || entry.index() == null) {
        throw new IntegrityException("device '" + device + "' redirects to channel '"
            + channel.devices().get(device).redirect() + "', which does not serve it");
      }
    }
    Image image = remote.index(entry.index()).requireLatestFull(remote.uri(entry.index()).toString());
    List<ImageFile> matches = image.files().stream()
        .filter(f -> rootfsPrefix.matcher(f.prefix()).matches()).toList();
    if (matches.size() != 1) {
      throw new IntegrityException("image " + image.version() + " of " + channel.name() + "/"
          + device + " has " + matches.size() + " files whose prefix matches rootfs-prefix '"
          + rootfsPrefix + "' (prefixes: " + image.files().stream()
              .map(ImageFile::prefix).collect(Collectors.joining(", "))
          + "); exactly one is needed: set imagebuilder.systemimage.rootfs-prefix");
    }
    ImageFile rootfs = matches.get(0);
    List<ImageFile> mirrored = image.files().stream()
        .filter(f -> f != rootfs && !excludedPrefixes.contains(f.prefix())).toList();
    List<ImageFile> regenerated = image.files().stream()
        .filter(f -> f != rootfs && excludedPrefixes.contains(f.prefix())).toList();
    return new Resolved(image, rootfs, mirrored, regenerated);
  }
}
