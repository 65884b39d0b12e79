package dev.imagebuilder.systemimage.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.systemimage.internal.protocol.ChannelEntry;
import dev.imagebuilder.systemimage.internal.protocol.DeviceIndex;
import dev.imagebuilder.systemimage.internal.protocol.Image;
import dev.imagebuilder.systemimage.internal.protocol.ImageFile;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the files no image refers to any more, after an expiry: in {@code pool/} and in the
 * device directory just published. A file stays while <em>any</em> image of <em>any</em> device
 * index of the tree lists it (devices share rootfs and device tarballs), together with its
 * {@code .asc} and the generator's {@code .json} sidecar. If any index cannot be read, nothing is
 * removed: a file wrongly kept costs disk space, a file wrongly removed breaks devices.
 */
final class PoolCleaner {
  private static final Logger LOG = LoggerFactory.getLogger(PoolCleaner.class);

  private PoolCleaner() {}

  /** Runs after the new documents are in place (under the publisher's lock). */
  static List<Path> clean(Path root, Path deviceDirectory) {
    Set<Path> referenced;
    try {
      referenced = referenced(root);
    } catch (IOException | RuntimeException e) {
      LOG.warn("not removing expired files from {}: an index could not be read: {}", root, e.toString());
      return List.of();
    }
    List<Path> removed = new ArrayList<>();
    removeUnreferenced(root.resolve("pool"), referenced, name -> true, removed);
    removeUnreferenced(deviceDirectory, referenced, name -> name.startsWith("version-"), removed);
    return removed;
  }

  private static Set<Path> referenced(Path root) throws IOException {
    Set<Path> out = new HashSet<>();
    Path channelsFile = root.resolve("channels.json");
    if (!Files.exists(channelsFile)) {
      return out;
    }
    byte[] channelsJson = Files.readAllBytes(channelsFile);
    Map<String, ChannelEntry> channels = ProtocolJson.channels(channelsJson, channelsFile.toString());
    JsonNode raw = ProtocolJson.tree(channelsJson, channelsFile.toString());
    for (ChannelEntry c : channels.values()) {
      for (ChannelEntry.DeviceEntry d : c.devices().values()) {
        JsonNode keyring = raw.path(c.name()).path("devices").path(d.name()).path("keyring");
        for (String k : List.of("path", "signature")) {
          if (keyring.path(k).isTextual()) {
            out.add(root.resolve(keyring.path(k).asText().substring(1)).normalize());
          }
        }
        if (d.index() == null) {
          continue;
        }
        Path index = d.index().resolveUnder(root);
        if (!Files.exists(index)) {
          continue;
        }
        DeviceIndex parsed = ProtocolJson.index(Files.readAllBytes(index), index.toString());
        for (Image image : parsed.images()) {
          for (ImageFile f : image.files()) {
            out.add(f.path().resolveUnder(root));
            out.add(f.signature().resolveUnder(root));
          }
        }
      }
    }
    return out;
  }

  private static void removeUnreferenced(Path dir, Set<Path> referenced,
      Predicate<String> candidate, List<Path> removed) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      LOG.warn("could not list {}: {}", dir, e.toString());
      return;
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (!candidate.test(name) || referenced.contains(f.normalize()) || isCompanionOfKept(f, referenced)) {
        continue;
      }
      try {
        Files.deleteIfExists(f);
        removed.add(f);
      } catch (IOException e) {
        LOG.warn("could not remove the expired {}: {}", f, e.toString());
      }
    }
  }

  /** A signature or sidecar ({@code .asc}, {@code .json}, {@code .json.asc}) of a kept payload. */
  private static boolean isCompanionOfKept(Path f, Set<Path> referenced) {
    String name = f.getFileName().toString();
    for (String suffix : List.of(".json.asc", ".json", ".asc")) {
      if (name.endsWith(suffix)) {
        String stem = name.substring(0, name.length() - suffix.length());
        String payload = suffix.startsWith(".json") ? stem + ".tar.xz" : stem;
        return referenced.contains(f.resolveSibling(payload).normalize());
      }
    }
    return false;
  }
}
