package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.glance.GlancePublisher;
import dev.imagebuilder.glance.ImageSpec;
import dev.imagebuilder.glance.ImportMethod;
import dev.imagebuilder.spi.Configuration;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How a cloud image whose destination is Glance is published (scope {@code guestfs}); read with
 * the rest of the configuration, before anything starts.
 *
 * @param imageName the Glance image name, or empty for the name the file would have had
 */
record PublishSettings(GlancePublisher.Options options, String visibility, Optional<String> imageName) {
  static final String IMPORT_METHOD = "glance-import-method";
  static final String VISIBILITY = "glance-visibility";
  static final String IMAGE_NAME = "glance-image-name";
  static final String UPLOAD_TIMEOUT = "glance-upload-timeout";
  static final String IMPORT_TIMEOUT = "glance-import-timeout";

  static PublishSettings read(Configuration config) {
    GlancePublisher.Options defaults = GlancePublisher.Options.DEFAULTS;
    ImportMethod method = config.get(IMPORT_METHOD)
        .map(v -> ImportMethod.parse(config.qualified(IMPORT_METHOD), v)).orElse(defaults.importMethod());
    Duration upload = positive(config, UPLOAD_TIMEOUT, defaults.uploadTimeout());
    Duration importing = positive(config, IMPORT_TIMEOUT, defaults.importTimeout());
    String visibility = config.get(VISIBILITY, "private").strip().toLowerCase(Locale.ROOT);
    if (!ImageSpec.VISIBILITIES.contains(visibility)) {
      throw new InvalidRequestException(config.qualified(VISIBILITY),
          "'" + visibility + "' is not one of " + ImageSpec.VISIBILITIES);
    }
    Optional<String> name = config.get(IMAGE_NAME).map(String::strip);
    name.ifPresent(n -> {
      if (n.length() > 255) {
        throw new InvalidRequestException(config.qualified(IMAGE_NAME), "must be at most 255 characters");
      }
    });
    return new PublishSettings(new GlancePublisher.Options(method, upload, importing), visibility, name);
  }

  private static Duration positive(Configuration config, String key, Duration fallback) {
    Duration d = config.duration(key, fallback);
    if (d.isZero() || d.isNegative()) {
      throw new InvalidRequestException(config.qualified(key), "'" + d + "' must be positive");
    }
    return d;
  }
}
