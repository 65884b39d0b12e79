package dev.imagebuilder.amqp;

import dev.imagebuilder.amqp.internal.RemoteBackend;
import dev.imagebuilder.amqp.internal.RemoteSettings;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import java.util.Optional;

/**
 * The {@code amqp} backend: hands requests to {@link QueueWorker}s over RabbitMQ and follows
 * their progress, so that a build can run on the machine that has what it needs (for a touch
 * image, next to the system-image server).
 *
 * <p>Configuration (keys under {@code imagebuilder.amqp.}): {@code uri} (required, such as
 * {@code amqp://user:password@broker:5672/vhost}), {@code queue} (default
 * {@code imagebuilder.requests}), {@code image-types} (the types handed over, comma-separated,
 * default all: {@code cloud,touch,oci}), {@code reply-expiry} (default {@code 1d}),
 * {@code confirm-timeout} (default {@code 30s}).
 *
 * <p>Its priority is below the local backends', so it serves a type only when chosen with
 * {@code backend.<image_type>=amqp} or when no local backend for the type is available.
 */
public final class AmqpBackendProvider implements BackendProvider {
  public static final String NAME = "amqp";

  public AmqpBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return -10;
  }

  /**
   * Every request type can travel over the queue; {@code image-types} narrows what this backend
   * accepts when it is created, since the configuration is not known here.
   */
  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return ImageRequest.class.isAssignableFrom(requestType);
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    if (configuration.get(RemoteSettings.URI_KEY).isEmpty()) {
      return Optional.of("no broker configured (set " + configuration.qualified(RemoteSettings.URI_KEY)
          + " or " + configuration.environmentName(RemoteSettings.URI_KEY) + ")");
    }
    try {
      RemoteSettings.from(configuration);
    } catch (RuntimeException e) {
      return Optional.of(e.getMessage());
    }
    return Optional.empty();
  }

  @Override
  public Backend create(BackendContext context) {
    return new RemoteBackend(RemoteSettings.from(context.configuration()));
  }
}
