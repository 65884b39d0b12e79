package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.systemimage.internal.publish.Digests;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The channel a touch request publishes to: {@link TouchImageRequest#targetChannel()} when set;
 * otherwise {@code <remote channel>-custom-<8 hex>}, the hex being the start of the sha256 of
 * what makes the image (server, remote channel, series, PPAs and packages, sorted). So the same
 * request always publishes into the same channel (each time as a new version), and requests that
 * differ never share one.
 */
final class ChannelNames {
  private ChannelNames() {}

  static String target(TouchImageRequest r) {
    if (r.targetChannel() != null) {
      return r.targetChannel();
    }
    String identity = String.join("\n",
        r.systemImageServer().toString().toLowerCase(Locale.ROOT),
        r.channel(),
        r.series().toString(),
        r.ppas().stream().map(Object::toString).sorted().collect(Collectors.joining(" ")),
        r.packages().stream().map(Object::toString).sorted().collect(Collectors.joining(" ")));
    return r.channel() + "-custom-"
        + Digests.sha256(identity.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
  }
}
