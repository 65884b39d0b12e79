package dev.imagebuilder.glance;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.glance.internal.CloudConfigReader;
import dev.imagebuilder.glance.internal.GlanceImages;
import dev.imagebuilder.glance.internal.GlanceUpload;
import dev.imagebuilder.glance.internal.KeystoneSession;
import dev.imagebuilder.glance.internal.OpenStackCloud;
import dev.imagebuilder.spi.HttpService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Publishes disk image files to one OpenStack cloud's Glance: creates the image record, sends
 * the bytes (with a Content-Length), waits for {@code active}, and checks Glance's size and
 * {@code os_hash_value} against what was sent. Any failure, cancellation included, deletes the
 * image, so that a publication leaves a verified image or none.
 */
public final class GlancePublisher {
  private final GlanceUpload upload;
  private final String cloud;

  GlancePublisher(GlanceUpload upload, String cloud) {
    this.upload = upload;
    this.cloud = cloud;
  }

  /**
   * Reads the cloud's settings as the OpenStack clients do. Nothing is sent yet.
   *
   * @param cloudName a {@code clouds.yaml} entry, or empty for {@code OS_CLOUD} or the
   *     {@code OS_*} variables
   * @param environment where {@code OS_*} and {@code HOME} are read ({@code System::getenv})
   * @param field the request field that chose the cloud, named in configuration errors
   * @throws dev.imagebuilder.api.InvalidRequestException when the cloud is not configured, or
   *     badly; the message never contains a secret
   */
  public static GlancePublisher forCloud(HttpService http, Optional<String> cloudName,
      Function<String, String> environment, String field, Options options) {
    OpenStackCloud cloud = CloudConfigReader.standard(field, environment).read(cloudName);
    KeystoneSession session = new KeystoneSession(http, cloud, Clock.systemUTC());
    return new GlancePublisher(new GlanceUpload(new GlanceImages(http, session), cloud.name(),
        options.importMethod(), options.uploadTimeout(), options.importTimeout(),
        Clock.systemUTC(), GlanceUpload.SLEEP), cloud.name());
  }

  /** The cloud's name: its {@code clouds.yaml} entry, or {@code envvars}. */
  public String cloud() {
    return cloud;
  }

  /**
   * Publishes {@code file}. Blocks until the image is active and verified.
   *
   * @param cancelled polled while the bytes are sent and while an import runs
   * @throws CancellationException when cancelled (the image is deleted)
   * @throws IntegrityException when Glance's size or hash differs from the file's
   * @throws ImageBuildException (often a {@link dev.imagebuilder.api.RemoteServiceException})
   *     for every other failure; the image is deleted first
   */
  public PublishedImage publish(Path file, ImageSpec spec, PublishListener listener,
      BooleanSupplier cancelled) {
    return upload.publish(Objects.requireNonNull(file, "file"), Objects.requireNonNull(spec, "spec"),
        Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(cancelled, "cancelled"));
  }

  /**
   * How to publish.
   *
   * @param uploadTimeout the longest a single upload request may take
   * @param importTimeout the longest to wait for a glance-direct import to become active
   */
  public record Options(ImportMethod importMethod, Duration uploadTimeout, Duration importTimeout) {
    public static final Options DEFAULTS =
        new Options(ImportMethod.UPLOAD, Duration.ofHours(2), Duration.ofMinutes(30));

    public Options {
      Objects.requireNonNull(importMethod, "importMethod");
      if (uploadTimeout.isZero() || uploadTimeout.isNegative()
          || importTimeout.isZero() || importTimeout.isNegative()) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
    }
  }
}
