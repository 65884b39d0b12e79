package dev.imagebuilder.glance.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.glance.ImageSpec;
import dev.imagebuilder.glance.ImportMethod;
import dev.imagebuilder.glance.PublishListener;
import dev.imagebuilder.glance.PublishedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publication: create, send (upload or stage + import), wait for {@code active}, verify;
 * on any failure or cancellation, delete the image before reporting.
 */
public final class GlanceUpload {
  private static final Logger LOG = LoggerFactory.getLogger(GlanceUpload.class);
  private static final Duration FIRST_POLL = Duration.ofSeconds(1);
  private static final Duration LONGEST_POLL = Duration.ofSeconds(15);

  /** Waits between status polls of an import. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  public static final Pause SLEEP = d -> Thread.sleep(d.toMillis());

  private final GlanceImages images;
  private final String cloud;
  private final ImportMethod method;
  private final Duration uploadTimeout;
  private final Duration importTimeout;
  private final Clock clock;
  private final Pause pause;

  public GlanceUpload(GlanceImages images, String cloud, ImportMethod method, Duration uploadTimeout,
      Duration importTimeout, Clock clock, Pause pause) {
    this.images = images;
    this.cloud = cloud;
    this.method = method;
    this.uploadTimeout = uploadTimeout;
    this.importTimeout = importTimeout;
    this.clock = clock;
    this.pause = pause;
  }

  public PublishedImage publish(Path file, ImageSpec spec, PublishListener listener, BooleanSupplier cancelled) {
    long size = size(file);
    checkCancelled(cancelled);
    JsonNode created = images.create(spec.name(), spec.diskFormat(), spec.containerFormat(),
        spec.visibility(), spec.properties());
    String id = created.path("id").asText("");
    if (id.isEmpty()) {
      throw new ImageBuildException("Glance created an image without an id in cloud '" + cloud + "'");
    }
    listener.log("Created Glance image " + id + " ('" + spec.name() + "') in cloud '" + cloud + "'");
    try {
      HashingFileBody body = new HashingFileBody(file, size, cancelled, bytes -> listener.uploaded(bytes, size));
      if (method == ImportMethod.UPLOAD) {
        listener.log("Uploading " + size + " bytes to " + images.imageUri(id) + "/file");
        images.send(id, "file", body::publisher, uploadTimeout);
      } else {
        listener.log("Staging " + size + " bytes at " + images.imageUri(id) + "/stage");
        images.send(id, "stage", body::publisher, uploadTimeout);
        checkCancelled(cancelled);
        images.importStaged(id);
        listener.log("Importing with glance-direct");
      }
      checkCancelled(cancelled);
      Map<String, String> ours = body.hexDigests().orElseThrow(() -> new ImageBuildException(
          "the upload of " + file + " ended before the whole file was sent"));
      JsonNode image = awaitActive(id, cancelled);
      PublishedImage published = verify(id, image, file, size, ours);
      listener.log("Glance image " + id + " is active: " + published.size() + " bytes, "
          + published.osHashAlgo() + " " + published.osHashValue());
      return published;
    } catch (RuntimeException e) {
      RuntimeException reported = cancelled.getAsBoolean() && !(e instanceof CancellationException)
          ? cancellation(e) : e;
      deleteAfterFailure(id, reported, listener);
      throw reported;
    }
  }

  private JsonNode awaitActive(String id, BooleanSupplier cancelled) {
    Instant deadline = clock.instant().plus(importTimeout);
    Duration wait = FIRST_POLL;
    boolean importing = method == ImportMethod.GLANCE_DIRECT;
    while (true) {
      JsonNode image = images.get(id).orElseThrow(() ->
          new ImageBuildException("Glance image " + id + " disappeared while it was being created"));
      String status = image.path("status").asText("");
      switch (status) {
        case "active":
          return image;
        case "killed", "deleted", "pending_delete", "deactivated":
          throw new ImageBuildException("Glance image " + id + " went to status '" + status + "'");
        case "queued":
          if (!importing) {
            // A finished PUT leaves the image active; queued means the data was not kept.
            throw new ImageBuildException("Glance image " + id + " is still 'queued' after its upload");
          }
          String failed = image.path("os_glance_failed_import").asText("");
          if (!failed.isBlank()) {
            throw new ImageBuildException("the glance-direct import of image " + id
                + " failed (os_glance_failed_import: " + failed + ")");
          }
          break;
        default:
          break;
      }
      if (!clock.instant().isBefore(deadline)) {
        throw new ImageBuildException("Glance image " + id + " is still '" + status + "' after "
            + importTimeout + "; giving up");
      }
      checkCancelled(cancelled);
      try {
        pause.pause(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted while waiting for Glance image " + id);
      }
      wait = wait.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : wait.multipliedBy(2);
    }
  }

  private PublishedImage verify(String id, JsonNode image, Path file, long size, Map<String, String> ours) {
    long theirSize = image.path("size").asLong(-1);
    if (theirSize != size) {
      throw new IntegrityException("Glance image " + id + " has size " + theirSize + " but "
          + file + " has " + size + " bytes");
    }
    String algo = image.path("os_hash_algo").asText("").toLowerCase(Locale.ROOT);
    String theirHash = image.path("os_hash_value").asText("").toLowerCase(Locale.ROOT);
    if (algo.isEmpty() || theirHash.isEmpty()) {
      throw new IntegrityException("Glance image " + id + " has no os_hash_value to check the"
          + " upload against (a Glance older than Rocky?)");
    }
    String ourHash = algo.equals("sha512") ? ours.get("sha512") : hash(file, algo);
    if (!ourHash.equals(theirHash)) {
      throw new IntegrityException("Glance image " + id + " has " + algo + " " + theirHash
          + " but " + file + " has " + ourHash);
    }
    String checksum = image.path("checksum").asText("");
    if (!checksum.isEmpty() && !checksum.equalsIgnoreCase(ours.get("md5"))) {
      throw new IntegrityException("Glance image " + id + " has checksum (MD5) " + checksum
          + " but " + file + " has " + ours.get("md5"));
    }
    return new PublishedImage(id, cloud, images.imageUri(id), size, algo, theirHash);
  }

  /** Another algorithm than the one we computed while sending: hash the file again. */
  private static String hash(Path file, String algo) {
    String javaName = switch (algo) {
      case "sha256" -> "SHA-256";
      case "sha384" -> "SHA-384";
      case "sha512" -> "SHA-512";
      case "sha3_512", "sha3-512" -> "SHA3-512";
      case "md5" -> "MD5";
      default -> throw new IntegrityException("Glance reports os_hash_algo '" + algo
          + "', which imagebuilder cannot compute");
    };
    MessageDigest digest = HashingFileBody.digest(javaName);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private void deleteAfterFailure(String id, RuntimeException failure, PublishListener listener) {
    try {
      images.delete(id);
      listener.log("Deleted Glance image " + id + " after the failure");
    } catch (RuntimeException e) {
      LOG.warn("cannot delete Glance image {} after a failed publication", id, e);
      listener.log("Could not delete Glance image " + id + ": " + e.getMessage());
      failure.addSuppressed(e);
    }
  }

  private static void checkCancelled(BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) {
      throw new CancellationException("publication cancelled");
    }
  }

  private static CancellationException cancellation(RuntimeException cause) {
    CancellationException e = new CancellationException("publication cancelled");
    e.initCause(cause);
    return e;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
