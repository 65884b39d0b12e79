package dev.imagebuilder.amqp;

import dev.imagebuilder.amqp.internal.AmqpUris;
import dev.imagebuilder.amqp.internal.Builds;
import dev.imagebuilder.amqp.internal.Failures;
import dev.imagebuilder.amqp.internal.Topology;
import dev.imagebuilder.amqp.internal.WorkerEngine;
import dev.imagebuilder.amqp.internal.WorkerSettings;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.core.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Serves image requests from a durable RabbitMQ queue with a local {@link ImageBuilder}.
 *
 * <pre>{@code
 * try (ImageBuilder builder = ImageBuilder.create();
 *      QueueWorker worker = QueueWorker.newBuilder()
 *          .uri("amqp://guest:guest@127.0.0.1:5672")
 *          .queue("imagebuilder.requests")
 *          .imageBuilder(builder)
 *          .journalDirectory(Path.of("/srv/imagebuilder/journal"))   // shared by all workers
 *          .build()) {
 *   worker.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Each message is a wire-format document ({@link WireFormat}); each of its items is built and
 * its progress published as JSON to the item's {@code trigger} queue (and the message's
 * {@code reply_to} queue), on every state change and at least every progress interval. The
 * message is acknowledged only once the end of every item is published and confirmed by the
 * broker. Messages that fail validation go to the dead-letter queue {@code <queue>.dead} with the
 * error in the header {@code x-imagebuilder-error}. A message whose worker died is redelivered
 * and resumed from the tickets journaled in the shared journal directory: nothing is built twice.
 * Several workers on one queue share its load. See {@code docs/amqp.md}.
 */
public final class QueueWorker implements AutoCloseable {
  private final WorkerEngine engine;

  private QueueWorker(WorkerEngine engine) {
    this.engine = engine;
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Connects, declares the queue (with its dead-letter exchange and queue, and its control
   * exchange) and starts serving. If the connection is lost later, the worker reconnects by itself.
   *
   * @throws UncheckedIOException when the broker cannot be reached or refuses the declarations
   */
  public QueueWorker start() {
    try {
      engine.start();
    } catch (IOException e) {
      throw new UncheckedIOException("the worker could not start: " + Failures.describe(e), e);
    }
    return this;
  }

  /** How many requests this worker holds now (at most the prefetch). */
  public int activeRequests() {
    return engine.activeRequests();
  }

  /**
   * Stops consuming and disconnects. Requests in flight are not acknowledged: the broker gives
   * them to the other workers, which resume their builds. Does not close the {@link ImageBuilder}.
   */
  @Override
  public void close() {
    engine.close();
  }

  /** Drops the connection at once, as a killed process would (for takeover tests). */
  void abort() {
    engine.abort();
  }

  /** Configures a {@link QueueWorker}. */
  public static final class Builder {
    private URI uri;
    private String queue = "imagebuilder.requests";
    private int prefetch = 4;
    private Path journalDirectory;
    private Duration progressInterval = Duration.ofSeconds(60);
    private Duration confirmTimeout = Duration.ofSeconds(30);
    private int maxDeliveries = 5;
    private String workerId;
    private Duration journalRetention = Duration.ofDays(7);
    private Builds builds;

    Builder() {}

    /** The broker, such as {@code amqp://user:password@host:5672/vhost}. Required. */
    public Builder uri(URI uri) {
      this.uri = uri;
      return this;
    }

    public Builder uri(String uri) {
      try {
        this.uri = new URI(Objects.requireNonNull(uri, "uri"));
      } catch (URISyntaxException e) {
        throw new InvalidRequestException("uri", "is not a URI");
      }
      return this;
    }

    /** The durable work queue (default {@code imagebuilder.requests}). */
    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    /** How many requests this worker serves at once (default 4). */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /** The builder that runs the builds. Required. */
    public Builder imageBuilder(ImageBuilder imageBuilder) {
      Objects.requireNonNull(imageBuilder, "imageBuilder");
      this.builds = new Builds() {
        @Override
        public BuildHandle submit(ImageRequest request, TicketJournal journal) {
          return imageBuilder.submit(request, journal);
        }

        @Override
        public BuildHandle resume(Ticket ticket, TicketJournal journal) {
          return imageBuilder.resume(ticket, journal);
        }
      };
      return this;
    }

    /**
     * Where tickets are journaled, one file per request. Required. Every worker of a queue must
     * see the same directory (a shared file system), so that one can take over another's requests.
     */
    public Builder journalDirectory(Path directory) {
      this.journalDirectory = directory;
      return this;
    }

    /** How often a running build's progress is published when nothing changed (default 60 s). */
    public Builder progressInterval(Duration interval) {
      this.progressInterval = interval;
      return this;
    }

    /** How long to wait for the broker to confirm a publication (default 30 s). */
    public Builder confirmTimeout(Duration timeout) {
      this.confirmTimeout = timeout;
      return this;
    }

    /** After how many deliveries an unfinished request is dead-lettered (default 5). */
    public Builder maxDeliveries(int maxDeliveries) {
      this.maxDeliveries = maxDeliveries;
      return this;
    }

    /** Names this worker in progress messages (default host name and process id). */
    public Builder workerId(String workerId) {
      this.workerId = workerId;
      return this;
    }

    /** How long journal entries of finished requests are kept (default 7 days). */
    public Builder journalRetention(Duration retention) {
      this.journalRetention = retention;
      return this;
    }

    /**
     * Validates the settings.
     *
     * @throws InvalidRequestException naming the setting that is missing or wrong
     */
    public QueueWorker build() {
      if (builds == null) {
        throw new InvalidRequestException("imageBuilder", "is required");
      }
      if (journalDirectory == null) {
        throw new InvalidRequestException("journalDirectory", "is required");
      }
      if (!Topology.isValidName(queue)) {
        throw new InvalidRequestException("queue", "'" + queue
            + "' is not a queue name (1 to 200 of letters, digits, '.', '_', ':', '-')");
      }
      WorkerSettings settings;
      try {
        AmqpUris.check("uri", uri);
        settings = new WorkerSettings(uri, new Topology(queue), prefetch, journalDirectory,
            progressInterval, confirmTimeout, maxDeliveries,
            workerId != null ? workerId : defaultWorkerId(), journalRetention);
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        int colon = message.indexOf(':');
        throw new InvalidRequestException(colon > 0 ? message.substring(0, colon) : "worker",
            colon > 0 ? message.substring(colon + 1).strip() : message);
      }
      return new QueueWorker(new WorkerEngine(settings, builds, WireFormat::parse));
    }

    private static String defaultWorkerId() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "localhost";
      }
      return host + "/" + ProcessHandle.current().pid();
    }
  }
}
