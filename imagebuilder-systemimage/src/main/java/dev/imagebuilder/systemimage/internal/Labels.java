package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.TouchImageRequest;
import java.util.Map;

/** A touch target's labels, the same in plans, builds and resumed builds. */
final class Labels {
  private Labels() {}

  static Map<String, String> of(TouchImageRequest r, String targetChannel, String device) {
    return Map.of("device", device, "channel", targetChannel, "remote-channel", r.channel(),
        "series", r.series().asGiven());
  }
}
