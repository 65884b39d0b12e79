package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.util.Locale;

/** Broker URIs: validation, connection factories, and a form safe to show. */
public final class AmqpUris {
  private AmqpUris() {}

  /**
   * Checks that {@code uri} is an {@code amqp} or {@code amqps} URI with a host.
   *
   * @throws IllegalArgumentException naming {@code field}, without the password
   */
  public static URI check(String field, URI uri) {
    if (uri == null) {
      throw new IllegalArgumentException(field + ": is required");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("amqp") && !scheme.equals("amqps") || uri.getHost() == null) {
      throw new IllegalArgumentException(field + ": '" + redacted(uri)
          + "' is not an amqp:// or amqps:// URI with a host");
    }
    return uri;
  }

  /**
   * The URI without its user information, for logs and messages. A password holding a reserved
   * character ({@code amqp://user:p@ss@host/}) makes Java parse the authority as registry-based,
   * with no user information, so everything before the last {@code @} is hidden, whatever the
   * parse.
   */
  public static String redacted(URI uri) {
    if (uri == null) {
      return "null";
    }
    String text = uri.toString();
    int at = text.lastIndexOf('@');
    if (at < 0) {
      return text;
    }
    return (uri.getScheme() == null ? "" : uri.getScheme() + "://") + "***@" + text.substring(at + 1);
  }

  /** A connection factory for {@code uri}; recovery is the caller's choice. */
  public static ConnectionFactory factory(URI uri, boolean automaticRecovery) {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri);
    } catch (Exception e) {
      // The client's message may quote the URI, password included: say only what it is.
      throw new IllegalArgumentException("'" + redacted(uri) + "' is not a usable AMQP URI");
    }
    factory.setAutomaticRecoveryEnabled(automaticRecovery);
    factory.setTopologyRecoveryEnabled(automaticRecovery);
    factory.setConnectionTimeout(10_000);
    factory.setRequestedHeartbeat(30);
    return factory;
  }
}
