package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's one connection: connects and declares the topology, consumes the work queue (manual
 * acknowledgements, prefetch) and the control exchange, hands every delivery to the I/O thread, and
 * when the connection is lost tells the worker and reconnects every few seconds until it is closed.
 */
final class ConnectionSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionSupervisor.class);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(5);

  /** What the worker does with what arrives; every method runs on the I/O thread. */
  interface Handlers {
    /** A delivery from the work queue, to be acknowledged on {@code channel}. */
    void delivery(Channel channel, Envelope envelope, AMQP.BasicProperties props, byte[] body);

    /** A message from the control exchange. */
    void control(byte[] body);

    /** The connection was lost: unacknowledged deliveries go back to the queue. */
    void lost();
  }

  private final WorkerSettings settings;
  private final ScheduledExecutorService io;
  private final Handlers handlers;
  private volatile Connection connection;
  private volatile Channel consumerChannel;
  private volatile ConfirmedPublisher publisher;
  private volatile boolean closing;

  ConnectionSupervisor(WorkerSettings settings, ScheduledExecutorService io, Handlers handlers) {
    this.settings = settings;
    this.io = io;
    this.handlers = handlers;
  }

  /** The publisher on the current connection (a new one after each reconnect). */
  ConfirmedPublisher publisher() {
    return publisher;
  }

  /** The channel the current work-queue consumer acknowledges on. */
  Channel consumerChannel() {
    return consumerChannel;
  }

  boolean isConnected() {
    return connection != null;
  }

  boolean isClosing() {
    return closing;
  }

  /** Connects and starts consuming; a failure here is the caller's (nothing is retried). */
  synchronized void connect() throws IOException {
    Connection c;
    try {
      c = AmqpUris.factory(settings.uri(), false)
          .newConnection("imagebuilder-worker " + settings.workerId());
    } catch (TimeoutException e) {
      throw new IOException("connecting to " + AmqpUris.redacted(settings.uri()) + " timed out", e);
    }
    try {
      Channel control = c.createChannel();
      settings.topology().declare(control);
      String controlQueue = control.queueDeclare().getQueue(); // exclusive, auto-delete
      control.queueBind(controlQueue, settings.topology().controlExchange(), "");
      control.basicConsume(controlQueue, true, new DefaultConsumer(control) {
        @Override
        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
          io.execute(() -> handlers.control(body));
        }
      });

      Channel consumer = c.createChannel();
      consumer.basicQos(settings.prefetch());
      ConfirmedPublisher newPublisher = new ConfirmedPublisher(c, settings.confirmTimeout());
      this.consumerChannel = consumer;
      this.publisher = newPublisher;
      consumer.basicConsume(settings.topology().queue(), false,
          "imagebuilder-worker " + settings.workerId() + " " + UUID.randomUUID(),
          new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
              io.execute(() -> handlers.delivery(consumer, env, props, body));
            }

            /**
             * The broker cancels the consumer when the queue is deleted (to give it new
             * arguments, say). Starting over declares it again; otherwise the worker would stay
             * connected and idle for good.
             */
            @Override
            public void handleCancel(String consumerTag) {
              LOG.warn("worker {}: the broker cancelled its consumer of {} (was the queue deleted?);"
                  + " reconnecting", settings.workerId(), settings.topology().queue());
              io.execute(() -> {
                if (!closing && connection == c) {
                  c.abort();
                }
              });
            }
          });
      // Only now: a connection that fails while being set up is the caller's error, not a loss.
      c.addShutdownListener(this::onShutdown);
      if (!c.isOpen()) {
        throw new IOException("the connection closed while the worker was starting");
      }
      this.connection = c;
      LOG.info("worker {} consuming {} on {} (prefetch {})", settings.workerId(),
          settings.topology().queue(), AmqpUris.redacted(settings.uri()), settings.prefetch());
    } catch (IOException | RuntimeException e) {
      c.abort();
      throw e;
    }
  }

  private void onShutdown(ShutdownSignalException cause) {
    if (closing) {
      return;
    }
    LOG.warn("worker {} lost its connection ({}); its requests go back to the queue",
        settings.workerId(), cause.getMessage());
    io.execute(handlers::lost);
    io.schedule(this::reconnect, RECONNECT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reconnect() {
    if (closing) {
      return;
    }
    try {
      synchronized (this) {
        if (!closing) {
          connect();
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("worker {} could not reconnect ({}); trying again in {}", settings.workerId(),
          Failures.describe(e), RECONNECT_DELAY);
      io.schedule(this::reconnect, RECONNECT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** No more reconnects: the worker is closing (the connection stays until {@link #disconnect}). */
  void stop() {
    closing = true;
  }

  /** Closes the connection, giving the broker up to 5 seconds. */
  void disconnect() {
    closing = true;
    Connection c = connection;
    if (c != null && c.isOpen()) {
      try {
        c.close(5_000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the connection failed", e);
      }
    }
  }

  /** Drops the connection at once, as if the process had died. */
  void abort() {
    closing = true;
    Connection c = connection;
    if (c != null) {
      c.abort();
    }
  }
}
