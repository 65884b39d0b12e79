package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.glance.GlancePublisher;
import dev.imagebuilder.glance.ImageSpec;
import dev.imagebuilder.glance.PublishListener;
import dev.imagebuilder.glance.PublishedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The destination {@code glance[:NAME]}: the disk image published to OpenStack Glance, with
 * properties that say how it was made, verified there, and then removed here. The outputs carry
 * the image id and its API link; the Glance client deletes the image on any failure.
 */
final class GlanceDelivery implements ImageDelivery {
  static final String IMAGE_ID = "glance-image-id";
  static final String IMAGE_URL = "glance-image-url";
  static final String CLOUD = "glance-cloud";

  private final GlancePublisher publisher;
  private final PublishSettings settings;
  private final CloudImageRequest request;
  private final String buildId;
  private final String imageName;
  private final OutputFormat format;

  GlanceDelivery(GlancePublisher publisher, PublishSettings settings, CloudImageRequest request,
      String buildId, String defaultName, OutputFormat format) {
    this.publisher = publisher;
    this.settings = settings;
    this.request = request;
    this.buildId = buildId;
    this.imageName = settings.imageName().orElse(defaultName);
    this.format = format;
  }

  @Override
  public String describe() {
    return "uploads the image to Glance of cloud '" + publisher.cloud() + "' as '" + imageName
        + "' (" + format.qemuName() + ", " + settings.visibility() + ", "
        + settings.options().importMethod().label() + "), then removes the local copy";
  }

  @Override
  public Map<String, String> deliver(Path disk, Map<String, String> built, Steps steps) {
    steps.stage("uploading");
    ImageSpec spec = new ImageSpec(imageName, format.qemuName(), "bare", settings.visibility(),
        properties(built));
    PublishedImage image;
    try {
      image = publisher.publish(disk, spec, new PublishListener() {
        @Override
        public void log(String line) {
          steps.log(line);
        }

        private long lastPercent = -1;

        /** Told every read of the file: passed on once per percent, not per buffer. */
        @Override
        public void uploaded(long bytes, long total) {
          long percent = total > 0 ? bytes * 100 / total : 0;
          if (percent != lastPercent) {
            lastPercent = percent;
            steps.progress(total > 0 ? (double) bytes / total : -1,
                "Uploading to Glance: " + bytes + " of " + total + " bytes");
          }
        }
      }, steps.cancellation()::isCancelled);
    } catch (CancellationException e) {
      throw new CancelledWorkException("cancelled while uploading to Glance");
    }
    Map<String, String> out = new LinkedHashMap<>();
    out.put(IMAGE_ID, image.id());
    out.put(IMAGE_URL, image.link().toString());
    out.put(CLOUD, image.cloud());
    out.put("sha512", image.osHashValue());
    return out;
  }

  /** What the image record says about how it was made. */
  private Map<String, String> properties(Map<String, String> built) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("imagebuilder_build_id", buildId);
    p.put("imagebuilder_base_image", built.getOrDefault("base-image", request.image().toString()));
    if (built.containsKey("base-sha256")) {
      p.put("imagebuilder_base_sha256", built.get("base-sha256"));
    }
    p.put("imagebuilder_series", request.series().codenameOrVersion());
    p.put("imagebuilder_ppas", built.getOrDefault("ppas", ""));
    p.put("imagebuilder_packages", built.getOrDefault("packages", ""));
    p.put("imagebuilder_sha256", built.getOrDefault("sha256", ""));
    return p;
  }
}
