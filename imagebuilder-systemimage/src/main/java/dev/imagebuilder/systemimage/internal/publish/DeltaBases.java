package dev.imagebuilder.systemimage.internal.publish;

import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.DeviceIndex;
import dev.imagebuilder.systemimage.internal.protocol.Image;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions a new image gets deltas from: always the device's latest full image (the
 * reference's default {@code deltabase}, the channel itself), then each configured base. A base
 * is a version number of this device, or the name of a channel of this tree, standing for that
 * channel's latest full image for the device. As in the reference's importer, a base is used only
 * when it is also a full image of this device, since the delta is computed from its files; others
 * are skipped with a note in the log. Channel names are looked up in the tree's
 * {@code channels.json} as the publisher read it, once, under its lock.
 */
final class DeltaBases {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaBases.class);

  private final Path root;
  private final String device;
  private final Map<String, ChannelEntry> channels;

  DeltaBases(Path root, String device, Map<String, ChannelEntry> channels) {
    this.root = root;
    this.device = device;
    this.channels = channels;
  }

  List<Integer> resolve(IndexDocument index, List<String> configured) throws IOException {
    DeviceIndex current = index.parsed();
    List<Integer> out = new ArrayList<>();
    current.latestFull().ifPresent(i -> out.add(i.version()));
    for (String base : configured) {
      Optional<Integer> version = base.chars().allMatch(Character::isDigit)
          ? Optional.of(Integer.parseInt(base)) : latestFullOfChannel(base);
      if (version.isEmpty()) {
        LOG.info("delta base '{}' has no full image for {}; no delta from it", base, device);
      } else if (current.images().stream().noneMatch(i -> i.isFull() && i.version() == version.get())) {
        LOG.info("delta base '{}' (version {}) is not a full image of {}; no delta from it",
            base, version.get(), device);
      } else if (!out.contains(version.get())) {
        out.add(version.get());
      }
    }
    return out;
  }

  private Optional<Integer> latestFullOfChannel(String channel) throws IOException {
    ChannelEntry c = channels.get(channel);
    ChannelEntry.DeviceEntry d = c == null ? null : c.devices().get(device);
    if (d == null || d.index() == null) {
      return Optional.empty();
    }
    Path index = d.index().resolveUnder(root);
    if (!Files.exists(index)) {
      return Optional.empty();
    }
    return ProtocolJson.index(Files.readAllBytes(index), index.toString()).latestFull()
        .map(Image::version);
  }
}
