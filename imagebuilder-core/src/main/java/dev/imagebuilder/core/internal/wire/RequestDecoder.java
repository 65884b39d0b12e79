package dev.imagebuilder.core.internal.wire;

import static dev.imagebuilder.core.internal.wire.WireKeys.*;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.Series;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one item into the request it describes. The keys are checked against the item's type,
 * then each value is handed to the request builders, whose errors are reported under the wire
 * key.
 */
final class RequestDecoder {
  private RequestDecoder() {}

  /** {@code bare}: the item is a document's only, bare object, where the older form applies. */
  static ImageRequest decode(WireItem item, boolean bare) {
    String type = imageType(item, bare);
    return switch (type) {
      case CLOUD -> cloud(item);
      case TOUCH -> touch(item);
      default -> oci(item);
    };
  }

  private static String imageType(WireItem item, boolean bare) {
    String type = item.string(IMAGE_TYPE);
    if (type == null) {
      if (bare) {
        return CLOUD; // The older form: one request without image_type, always a cloud image.
      }
      throw item.error(IMAGE_TYPE, "is required in a list of requests (cloud, touch or oci)");
    }
    if (!IMAGE_TYPES.contains(type)) {
      throw item.error(IMAGE_TYPE,
          Texts.quote(type) + " is not an image type (cloud, touch or oci)");
    }
    return type;
  }

  private static ImageRequest cloud(WireItem item) {
    checkKeys(item, CLOUD, CLOUD_KEYS);
    Trigger trigger = trigger(item);
    String image = item.string(IMAGE);
    List<String> ppas = item.strings(PPA_LIST);
    List<String> packages = item.strings(PACKAGE_LIST);
    String series = item.string(SERIES);
    try {
      var b = ImageRequest.cloud().ppas(ppas).packages(packages).trigger(trigger.value());
      if (image != null) {
        b.image(image);
      }
      if (series != null) {
        b.series(series);
      }
      return b.build();
    } catch (InvalidRequestException e) {
      throw item.rename(e, trigger.with(CLOUD_FIELDS));
    }
  }

  private static ImageRequest touch(WireItem item) {
    checkKeys(item, TOUCH, TOUCH_KEYS);
    Trigger trigger = trigger(item);
    String server = item.string(SYSTEM_IMAGE_SERVER);
    String channel = item.string(SYSTEM_IMAGE_CHANNEL);
    List<String> devices = item.strings(DEVICES);
    List<String> ppas = item.strings(PPA_LIST);
    List<String> packages = item.strings(PACKAGE_LIST);
    String series = item.string(SERIES);
    String targetChannel = item.string(TARGET_CHANNEL);
    try {
      var b = ImageRequest.touch().channel(channel).devices(devices).ppas(ppas)
          .packages(packages).targetChannel(targetChannel).trigger(trigger.value());
      if (server != null) {
        b.systemImageServer(server);
      }
      if (series != null) {
        b.series(series);
      }
      return b.build();
    } catch (InvalidRequestException e) {
      throw item.rename(e, trigger.with(TOUCH_FIELDS));
    }
  }

  private static ImageRequest oci(WireItem item) {
    checkKeys(item, OCI, OCI_KEYS);
    Trigger trigger = trigger(item);
    List<String> images = item.strings(IMAGES);
    List<Series> series = ociSeries(item);
    List<Architecture> architectures =
        item.each(ARCHITECTURES, Architecture::of).stream().distinct().toList();
    int retries = item.integer(AUTO_RETRY_UPLOADS, 0, OciImageRequest.MAX_AUTO_RETRY_UPLOADS, 0);
    try {
      return new OciImageRequest(images, series, architectures, retries, trigger.value());
    } catch (InvalidRequestException e) {
      throw item.rename(e, trigger.with(OCI_FIELDS));
    }
  }

  /** OCI series are a list; a single string is read as a list of one. */
  private static List<Series> ociSeries(WireItem item) {
    if (item.has(SERIES) && item.fields().get(SERIES).isTextual()) {
      try {
        return List.of(Series.of(item.string(SERIES)));
      } catch (InvalidRequestException e) {
        throw item.rename(e, Map.of());
      }
    }
    return item.each(SERIES, Series::of).stream().distinct().toList();
  }

  private static void checkKeys(WireItem item, String type, List<String> known) {
    for (String key : item.fields().keySet()) {
      if (!known.contains(key)) {
        throw item.error(key, Texts.quote(key) + " is not a key of a " + type
            + " request (known: " + String.join(", ", known) + ")");
      }
    }
  }

  /** The trigger and the key it was given under, to report its errors there. */
  private record Trigger(String value, String key) {
    Map<String, String> with(Map<String, String> fields) {
      Map<String, String> all = new HashMap<>(fields);
      all.put(TRIGGER, key);
      return all;
    }
  }

  /** {@code trigger}, or its other name {@code progress_trigger}; both must then agree. */
  private static Trigger trigger(WireItem item) {
    String trigger = item.string(TRIGGER);
    String progress = item.string(PROGRESS_TRIGGER);
    if (trigger != null && progress != null && !trigger.equals(progress)) {
      throw item.error(PROGRESS_TRIGGER, Texts.quote(progress) + " differs from trigger "
          + Texts.quote(trigger) + " (progress_trigger is another name for trigger; give one)");
    }
    return trigger != null || progress == null
        ? new Trigger(trigger, TRIGGER)
        : new Trigger(progress, PROGRESS_TRIGGER);
  }
}
