package dev.imagebuilder.core.internal.wire;

import java.util.List;
import java.util.Map;

/**
 * The wire-format keys of each request type, in the order {@link RequestEncoder} writes them,
 * and the record component each one feeds (so a record's own validation error can be reported
 * under the key the sender actually wrote).
 */
final class WireKeys {
  static final String IMAGE_TYPE = "image_type";
  static final String TRIGGER = "trigger";
  static final String PROGRESS_TRIGGER = "progress_trigger";
  static final String SERIES = "series";
  static final String PPA_LIST = "ppa_list";
  static final String PACKAGE_LIST = "package_list";

  static final String IMAGE = "image";
  static final String DESTINATION = "destination";

  static final String SYSTEM_IMAGE_SERVER = "system-image-server";
  static final String SYSTEM_IMAGE_CHANNEL = "system-image-channel";
  static final String DEVICES = "devices";
  static final String TARGET_CHANNEL = "target-channel";

  static final String IMAGES = "images";
  static final String ARCHITECTURES = "architectures";
  static final String AUTO_RETRY_UPLOADS = "auto_retry_uploads";
  static final String PROMOTE_FROM = "promote_from";
  static final String PROMOTE_TO = "promote_to";
  static final String PROMOTE_ALIASES = "promote_aliases";

  static final String CLOUD = "cloud";
  static final String TOUCH = "touch";
  static final String OCI = "oci";
  static final String OCI_PROMOTION = "oci_promotion";
  static final List<String> IMAGE_TYPES = List.of(CLOUD, TOUCH, OCI, OCI_PROMOTION);

  static final List<String> CLOUD_KEYS =
      List.of(IMAGE_TYPE, IMAGE, PPA_LIST, PACKAGE_LIST, SERIES, DESTINATION, TRIGGER,
          PROGRESS_TRIGGER);
  static final List<String> TOUCH_KEYS = List.of(IMAGE_TYPE, SYSTEM_IMAGE_SERVER,
      SYSTEM_IMAGE_CHANNEL, DEVICES, PPA_LIST, PACKAGE_LIST, SERIES, TARGET_CHANNEL, TRIGGER,
      PROGRESS_TRIGGER);
  static final List<String> OCI_KEYS = List.of(IMAGE_TYPE, IMAGES, SERIES, ARCHITECTURES,
      AUTO_RETRY_UPLOADS, PROMOTE_FROM, PROMOTE_TO, PROMOTE_ALIASES, TRIGGER, PROGRESS_TRIGGER);
  static final List<String> OCI_PROMOTION_KEYS = List.of(IMAGE_TYPE, IMAGES, SERIES, ARCHITECTURES,
      PROMOTE_FROM, PROMOTE_TO, PROMOTE_ALIASES, TRIGGER, PROGRESS_TRIGGER);

  /** Record component (as named in the records' validation errors) to wire key. */
  static final Map<String, String> CLOUD_FIELDS = Map.of(
      "image", IMAGE, "series", SERIES, "ppas", PPA_LIST, "packages", PACKAGE_LIST,
      "destination", DESTINATION);
  static final Map<String, String> TOUCH_FIELDS = Map.of(
      "systemImageServer", SYSTEM_IMAGE_SERVER, "channel", SYSTEM_IMAGE_CHANNEL,
      "devices", DEVICES, "series", SERIES, "ppas", PPA_LIST, "packages", PACKAGE_LIST,
      "targetChannel", TARGET_CHANNEL);
  static final Map<String, String> OCI_FIELDS = Map.of(
      "images", IMAGES, "series", SERIES, "architectures", ARCHITECTURES,
      "autoRetryUploads", AUTO_RETRY_UPLOADS, "from", PROMOTE_FROM, "to", PROMOTE_TO,
      "aliases", PROMOTE_ALIASES, "promotion", PROMOTE_TO);

  private WireKeys() {}
}
