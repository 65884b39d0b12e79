package dev.imagebuilder.amqp.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.spi.Configuration;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code amqp} backend's configuration.
 *
 * @param uri the broker (holds the password: never shown)
 * @param topology the work queue the workers serve
 * @param imageTypes the {@code image_type}s this backend hands over
 * @param replyExpiry how long an unused reply queue lives on the broker
 * @param confirmTimeout how long to wait for the broker to confirm a publication
 */
public record RemoteSettings(
    URI uri, Topology topology, Set<String> imageTypes, Duration replyExpiry, Duration confirmTimeout) {

  public static final String URI_KEY = "uri";
  public static final String QUEUE_KEY = "queue";
  public static final String IMAGE_TYPES_KEY = "image-types";
  public static final String REPLY_EXPIRY_KEY = "reply-expiry";
  public static final String CONFIRM_TIMEOUT_KEY = "confirm-timeout";
  public static final String DEFAULT_QUEUE = "imagebuilder.requests";
  private static final Set<String> KNOWN_TYPES = Set.of("cloud", "touch", "oci");

  /**
   * Reads and checks the configuration.
   *
   * @throws InvalidRequestException naming the key that is missing or wrong
   */
  public static RemoteSettings from(Configuration config) {
    String uriText = config.require(URI_KEY);
    URI uri;
    try {
      uri = AmqpUris.check(config.qualified(URI_KEY), new URI(uriText.strip()));
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(config.qualified(URI_KEY), "is not a URI");
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(config.qualified(URI_KEY),
          "is not an amqp:// or amqps:// URI with a host");
    }
    String queue = config.get(QUEUE_KEY, DEFAULT_QUEUE).strip();
    if (!Topology.isValidName(queue)) {
      throw new InvalidRequestException(config.qualified(QUEUE_KEY), "'" + queue
          + "' is not a queue name (1 to 200 of letters, digits, '.', '_', ':', '-')");
    }
    Set<String> types = new LinkedHashSet<>();
    for (String type : config.get(IMAGE_TYPES_KEY, "cloud,touch,oci").split(",")) {
      String t = type.strip().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        continue;
      }
      if (!KNOWN_TYPES.contains(t)) {
        throw new InvalidRequestException(config.qualified(IMAGE_TYPES_KEY),
            "'" + type.strip() + "' is not an image type (cloud, touch, oci)");
      }
      types.add(t);
    }
    Duration expiry = config.duration(REPLY_EXPIRY_KEY, Duration.ofDays(1));
    Duration confirm = config.duration(CONFIRM_TIMEOUT_KEY, Duration.ofSeconds(30));
    if (expiry.toMillis() < 1000) {
      throw new InvalidRequestException(config.qualified(REPLY_EXPIRY_KEY),
          "must be at least one second");
    }
    if (confirm.toMillis() < 1) {
      throw new InvalidRequestException(config.qualified(CONFIRM_TIMEOUT_KEY),
          "must be at least one millisecond");
    }
    return new RemoteSettings(uri, new Topology(queue), Set.copyOf(types), expiry, confirm);
  }

  @Override
  public String toString() {
    return "RemoteSettings[" + AmqpUris.redacted(uri) + ", queue=" + topology.queue()
        + ", imageTypes=" + imageTypes + "]";
  }
}
