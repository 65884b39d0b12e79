package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.launchpad.internal.client.Credentials;
import dev.imagebuilder.launchpad.internal.client.CredentialsFile;
import dev.imagebuilder.launchpad.internal.client.ServiceRoot;
import dev.imagebuilder.spi.Configuration;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code launchpad} backend's configuration. The access secret is held only inside
 * {@link Credentials}, whose {@code toString} redacts it; this record's {@code toString} shows
 * whether credentials are set, never what they are.
 */
public record LaunchpadSettings(
    ServiceRoot root,
    Credentials credentials,
    Path catalog,
    Duration pollInterval,
    Duration maxPollInterval,
    Duration uploadRetryBackoff,
    Duration uploadRetryBackoffCap,
    int maxConcurrentRequests,
    int maxPollFailures,
    InetSocketAddress webhookListen,
    URI webhookUrl) {

  public static final String SERVICE_ROOT = "service-root";
  public static final String WEB_ROOT = "web-root";
  public static final String CREDENTIALS_FILE = "credentials-file";
  public static final String CONSUMER_KEY = "consumer-key";
  public static final String ACCESS_TOKEN = "access-token";
  public static final String ACCESS_SECRET = "access-secret";
  public static final String CATALOG = "catalog";
  public static final String POLL_INTERVAL = "poll-interval";
  public static final String MAX_POLL_INTERVAL = "max-poll-interval";
  public static final String UPLOAD_RETRY_BACKOFF = "upload-retry-backoff";
  public static final String MAX_CONCURRENT_REQUESTS = "max-concurrent-requests";
  public static final String MAX_POLL_FAILURES = "max-poll-failures";
  public static final String WEBHOOK_LISTEN = "webhook-listen";
  public static final String WEBHOOK_URL = "webhook-url";

  public static LaunchpadSettings from(Configuration c) {
    ServiceRoot root = ServiceRoot.parse(c.qualified(SERVICE_ROOT),
        c.get(SERVICE_ROOT, "production"), c.get(WEB_ROOT).orElse(null));
    Path catalog = c.path(CATALOG).orElseThrow(() -> new InvalidRequestException(c.qualified(CATALOG),
        "is not configured: Launchpad cannot list OCI recipes, so give a catalog JSON file"
            + " (system property " + c.qualified(CATALOG) + " or " + c.environmentName(CATALOG) + ")"));
    Duration poll = positive(c, POLL_INTERVAL, c.duration(POLL_INTERVAL, Duration.ofSeconds(30)));
    Duration maxPoll = c.duration(MAX_POLL_INTERVAL, poll.multipliedBy(8));
    if (maxPoll.compareTo(poll) < 0) {
      throw new InvalidRequestException(c.qualified(MAX_POLL_INTERVAL), "'" + maxPoll
          + "' is shorter than the poll interval (" + poll + ")");
    }
    Duration backoff = positive(c, UPLOAD_RETRY_BACKOFF, c.duration(UPLOAD_RETRY_BACKOFF, Duration.ofMinutes(5)));
    int max = c.integer(MAX_CONCURRENT_REQUESTS, 8);
    if (max < 1 || max > 256) {
      throw new InvalidRequestException(c.qualified(MAX_CONCURRENT_REQUESTS), "'" + max + "' is out of range (1 to 256)");
    }
    int failures = c.integer(MAX_POLL_FAILURES, 20);
    if (failures < 1) {
      throw new InvalidRequestException(c.qualified(MAX_POLL_FAILURES), "'" + failures + "' must be at least 1");
    }
    InetSocketAddress listen = c.get(WEBHOOK_LISTEN).map(v -> listen(c, v)).orElse(null);
    URI url = c.get(WEBHOOK_URL).map(v -> url(c, v)).orElse(null);
    if (url != null && listen == null) {
      throw new InvalidRequestException(c.qualified(WEBHOOK_LISTEN), "is not set although "
          + c.qualified(WEBHOOK_URL) + " is: say where to listen for Launchpad's deliveries (host:port)");
    }
    if (listen != null && url == null && listen.getAddress() != null && listen.getAddress().isAnyLocalAddress()) {
      throw new InvalidRequestException(c.qualified(WEBHOOK_URL), "is not set: listening on '"
          + c.get(WEBHOOK_LISTEN).orElseThrow() + "' needs the URL Launchpad reaches it at");
    }
    return new LaunchpadSettings(root, credentials(c), catalog, poll, maxPoll, backoff, Duration.ofHours(1), max, failures,
        listen, url);
  }

  /** True when Launchpad should deliver webhooks to this process. */
  public boolean webhooks() {
    return webhookListen != null;
  }

  private static InetSocketAddress listen(Configuration c, String value) {
    int colon = value.lastIndexOf(':');
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (colon < 1 || port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(value.substring(0, colon).replaceAll("^\\[|\\]$", ""), port);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw new InvalidRequestException(c.qualified(WEBHOOK_LISTEN), "'" + value + "' is not host:port (0 for any free port)");
    }
  }

  private static URI url(Configuration c, String value) {
    try {
      URI u = new URI(value);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new URISyntaxException(value, "not an http(s) URL with a host");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(c.qualified(WEBHOOK_URL), "'" + value + "' is not an http(s) URL Launchpad can deliver to");
    }
  }

  /** Direct keys win over the credentials file; neither means anonymous (read-only). */
  static Credentials credentials(Configuration c) {
    Optional<String> token = c.get(ACCESS_TOKEN);
    Optional<String> secret = c.get(ACCESS_SECRET);
    if (token.isPresent() || secret.isPresent()) {
      return new Credentials(c.get(CONSUMER_KEY, "image-builder"), c.require(ACCESS_TOKEN), c.require(ACCESS_SECRET));
    }
    Optional<Path> file = c.path(CREDENTIALS_FILE);
    return file.map(f -> CredentialsFile.read(c.qualified(CREDENTIALS_FILE), f)).orElse(null);
  }

  private static Duration positive(Configuration c, String key, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new InvalidRequestException(c.qualified(key), "'" + d + "' must be positive");
    }
    return d;
  }

  /** The delay before upload retry number {@code attempt} (1-based): doubling, capped. */
  public Duration uploadRetryDelay(int attempt) {
    Duration d = uploadRetryBackoff;
    for (int i = 1; i < attempt && d.compareTo(uploadRetryBackoffCap) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(uploadRetryBackoffCap) > 0 ? uploadRetryBackoffCap : d;
  }

  @Override
  public String toString() {
    return "LaunchpadSettings[root=" + root.api() + ", credentials=" + (credentials == null ? "anonymous" : "set")
        + ", catalog=" + catalog + ", pollInterval=" + pollInterval + ", maxPollInterval=" + maxPollInterval + ", webhooks=" + (webhookListen == null ? "off" : webhookListen) + "]";
  }
}
