package dev.imagebuilder.core.internal.wire;

import static dev.imagebuilder.core.internal.wire.WireKeys.*;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.CloudDestination;
import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.api.PackageSpec;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.api.TouchImageRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one item into the request it describes. The keys are checked against the item's type,
 * list elements are parsed one by one (their errors carry the element index), and the record
 * constructors do the rest of the validation; their errors are reported under the wire key.
 *
 * <p>The records are built directly, not through their builders, because the builders drop
 * duplicate list elements and the records keep them: only the records' own rules make
 * {@code parse(write(request))} equal {@code request} for every valid request.
 */
final class RequestDecoder {
  private RequestDecoder() {}

  /** {@code bare}: the item is a document's only, bare object, where the older form applies. */
  static ImageRequest decode(WireItem item, boolean bare) {
    String type = imageType(item, bare);
    return switch (type) {
      case CLOUD -> cloud(item);
      case TOUCH -> touch(item);
      case OCI_PROMOTION -> ociPromotion(item);
      default -> oci(item);
    };
  }

  private static String imageType(WireItem item, boolean bare) {
    String type = item.string(IMAGE_TYPE);
    if (type == null) {
      if (bare) {
        return CLOUD; // The older form: one request without image_type, always a cloud image.
      }
      throw item.error(IMAGE_TYPE, "is required in a list of requests (cloud, touch, oci or oci_promotion)");
    }
    if (!IMAGE_TYPES.contains(type)) {
      throw item.error(IMAGE_TYPE,
          Texts.quote(type) + " is not an image type (cloud, touch, oci or oci_promotion)");
    }
    return type;
  }

  private static ImageRequest cloud(WireItem item) {
    checkKeys(item, CLOUD, CLOUD_KEYS);
    Trigger trigger = trigger(item);
    URI image = uri(item, IMAGE);
    List<Ppa> ppas = item.each(PPA_LIST, Ppa::of);
    List<PackageSpec> packages = item.each(PACKAGE_LIST, PackageSpec::of);
    Series series = series(item);
    CloudDestination destination = destination(item);
    try {
      return new CloudImageRequest(image, series, ppas, packages, trigger.value(), destination);
    } catch (InvalidRequestException e) {
      throw item.rename(e, trigger.with(CLOUD_FIELDS));
    }
  }

  private static ImageRequest touch(WireItem item) {
    checkKeys(item, TOUCH, TOUCH_KEYS);
    Trigger trigger = trigger(item);
    URI server = uri(item, SYSTEM_IMAGE_SERVER);
    String channel = item.string(SYSTEM_IMAGE_CHANNEL);
    List<String> devices = item.strings(DEVICES);
    List<Ppa> ppas = item.each(PPA_LIST, Ppa::of);
    List<PackageSpec> packages = item.each(PACKAGE_LIST, PackageSpec::of);
    Series series = series(item);
    String targetChannel = item.string(TARGET_CHANNEL);
    try {
      return new TouchImageRequest(server, channel, devices, series, ppas, packages,
          targetChannel, trigger.value());
    } catch (InvalidRequestException e) {
      throw item.rename(e, trigger.with(TOUCH_FIELDS));
    }
  }

  private static ImageRequest oci(WireItem item) {
    checkKeys(item, OCI, OCI_KEYS);
    Trigger trigger = trigger(item);
    List<String> images = item.strings(IMAGES);
    List<Series> series = item.has(SERIES) && item.fields().get(SERIES).isTextual()
        ? List.of(series(item)) // one series given as a string rather than a list of one
        : item.each(SERIES, Series::of);
    List<Architecture> architectures = item.each(ARCHITECTURES, Architecture::of);
    int retries = item.integer(AUTO_RETRY_UPLOADS, 0, OciImageRequest.MAX_AUTO_RETRY_UPLOADS, 0);
    try {
      OciPromotion promotion = item.has(PROMOTE_TO) ? promotion(item) : null;
      if (promotion == null && (item.has(PROMOTE_FROM) || item.has(PROMOTE_ALIASES))) {
        throw item.error(PROMOTE_TO, "is required with " + PROMOTE_FROM + " and " + PROMOTE_ALIASES);
      }
      return new OciImageRequest(images, series, architectures, retries, trigger.value(), promotion);
    } catch (InvalidRequestException e) {
      throw item.rename(e, trigger.with(OCI_FIELDS));
    }
  }

  private static ImageRequest ociPromotion(WireItem item) {
    checkKeys(item, OCI_PROMOTION, OCI_PROMOTION_KEYS);
    Trigger trigger = trigger(item);
    List<String> images = item.strings(IMAGES);
    List<Series> series = item.has(SERIES) && item.fields().get(SERIES).isTextual()
        ? List.of(series(item))
        : item.each(SERIES, Series::of);
    List<Architecture> architectures = item.each(ARCHITECTURES, Architecture::of);
    try {
      if (!item.has(PROMOTE_TO)) {
        throw item.error(PROMOTE_TO, "is required (the risk to promote to, such as beta)");
      }
      return new OciPromotionRequest(images, series, architectures, promotion(item), trigger.value());
    } catch (InvalidRequestException e) {
      throw item.rename(e, trigger.with(OCI_FIELDS));
    }
  }

  private static OciPromotion promotion(WireItem item) {
    return new OciPromotion(item.string(PROMOTE_FROM), item.string(PROMOTE_TO), item.strings(PROMOTE_ALIASES));
  }

  /** The series string at {@code series}, or {@code null} when absent. */
  private static Series series(WireItem item) {
    String text = item.string(SERIES);
    try {
      return text == null ? null : Series.of(text);
    } catch (InvalidRequestException e) {
      throw item.rename(e, Map.of());
    }
  }

  /** {@code file} when absent. */
  private static CloudDestination destination(WireItem item) {
    String text = item.string(DESTINATION);
    try {
      return text == null ? CloudDestination.FILE : CloudDestination.of(text);
    } catch (InvalidRequestException e) {
      throw item.rename(e, Map.of());
    }
  }

  /**
   * The URL string at {@code key} as the builders read it (stripped), or {@code null} when
   * absent; the record checks its scheme and host. User information is refused here, before
   * the record's checks, whose messages would repeat the URL and the password in it.
   */
  private static URI uri(WireItem item, String key) {
    String text = item.string(key);
    if (text == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw item.error(key, Texts.quote(Texts.withoutUserInfo(text)) + " is not a URL: "
          + Texts.withoutUserInfo(e.getReason()));
    }
    if (uri.getRawUserInfo() != null || Texts.hasUserInfo(text)) {
      throw item.error(key, "URL must not carry user information");
    }
    return uri;
  }

  private static void checkKeys(WireItem item, String type, List<String> known) {
    for (String key : item.fields().keySet()) {
      if (!known.contains(key)) {
        throw item.error(key, Texts.quote(key) + " is not a key of " + type
            + " requests (known: " + String.join(", ", known) + ")");
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
