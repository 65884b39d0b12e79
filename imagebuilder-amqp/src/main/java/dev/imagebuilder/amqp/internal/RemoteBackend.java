package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.Connection;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the queue: sends each request to the work queue with a private reply queue
 * and turns the progress messages that come back into the build's state. One connection per
 * backend, opened on first use, with the client's automatic recovery.
 */
public final class RemoteBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteBackend.class);

  private final RemoteSettings settings;
  private Connection connection;
  private ConfirmedPublisher publisher;
  private boolean topologyDeclared;

  public RemoteBackend(RemoteSettings settings) {
    this.settings = settings;
  }

  RemoteSettings settings() {
    return settings;
  }

  /**
   * Refuses types not configured for the queue, and refuses to run inside a queue worker: a
   * worker whose own builder chose this backend would send each request back to a queue.
   */
  @Override
  public void validate(ImageRequest request) {
    checkType(request);
    if (WorkerEngine.isWorkerThread()) {
      throw new InvalidRequestException("backend." + request.imageType(), "a queue worker would hand '"
          + request.imageType() + "' requests back to a queue: give the worker's ImageBuilder a local"
          + " backend for them (or set backend." + request.imageType() + ")");
    }
  }

  @Override
  public Plan plan(ImageRequest request) {
    checkType(request);
    return new Plan(request, "amqp", List.of(), List.of(
        "sent to the workers of queue " + settings.topology().queue() + " on "
            + AmqpUris.redacted(settings.uri()) + "; they resolve the targets"));
  }

  @Override
  public BuildJob start(ImageRequest request, BuildContext context) {
    validate(request);
    String requestId = UUID.randomUUID().toString();
    RemoteBuildJob job = new RemoteBuildJob(this, requestId, "imagebuilder.reply." + requestId, context);
    context.execute(job::submit);
    return job;
  }

  @Override
  public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
    Object requestId = state.get("request_id");
    Object replyQueue = state.get("reply_queue");
    if (!(requestId instanceof String id) || !Headers.isValidRequestId(id)
        || !(replyQueue instanceof String reply) || reply.isBlank()) {
      throw new InvalidRequestException("ticket.state", "has no request_id and reply_queue of an amqp build");
    }
    RemoteBuildJob job = new RemoteBuildJob(this, id, reply, context);
    Object handoff = state.get("handoff");
    context.execute(() -> job.reattach(handoff instanceof String h ? h : null));
    return job;
  }

  /**
   * The workers know no "retry these targets": the request is sent again as a new request; its
   * worker's backend decides, from remote state, what to build.
   */
  @Override
  public BuildJob retry(
      ImageRequest request, Map<String, Object> state, Set<String> targetKeys, BuildContext context) {
    return start(request, context);
  }

  private void checkType(ImageRequest request) {
    if (!settings.imageTypes().contains(request.imageType())) {
      throw new InvalidRequestException("imagebuilder.amqp.image-types", "'" + request.imageType()
          + "' requests are not handed to the queue (configured: " + settings.imageTypes() + ")");
    }
  }

  /** The shared connection, opened (and the queue's topology declared) on first use. */
  synchronized Connection connection() throws IOException {
    if (connection == null || !connection.isOpen()) {
      try {
        connection = AmqpUris.factory(settings.uri(), true).newConnection("imagebuilder-client");
      } catch (TimeoutException | IOException e) {
        throw new RemoteServiceException(0, "CONNECT", redactedUri(),
            "cannot reach the broker: " + Failures.describe(e));
      }
      publisher = new ConfirmedPublisher(connection, settings.confirmTimeout());
      topologyDeclared = false;
    }
    if (!topologyDeclared) {
      try (var channel = connection.createChannel()) {
        settings.topology().declare(channel);
      } catch (TimeoutException e) {
        throw new IOException(e);
      }
      topologyDeclared = true;
    }
    return connection;
  }

  synchronized ConfirmedPublisher publisher() throws IOException {
    connection();
    return publisher;
  }

  URI redactedUri() {
    return URI.create(AmqpUris.redacted(settings.uri()));
  }

  @Override
  public synchronized void close() {
    if (connection != null && connection.isOpen()) {
      try {
        connection.close(5_000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the connection failed", e);
      }
    }
  }
}
