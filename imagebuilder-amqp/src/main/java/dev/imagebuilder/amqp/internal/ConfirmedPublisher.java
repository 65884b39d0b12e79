package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with publisher confirms: {@link #publish} returns only once the broker has taken
 * responsibility for the message (for a durable queue and a persistent message: written to
 * disk). One channel, used by one publisher at a time, since confirms are counted per channel.
 */
public final class ConfirmedPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublisher.class);

  private final Connection connection;
  private final Duration confirmTimeout;
  private final Set<String> knownQueues = ConcurrentHashMap.newKeySet();
  private Channel channel;

  public ConfirmedPublisher(Connection connection, Duration confirmTimeout) {
    this.connection = connection;
    this.confirmTimeout = confirmTimeout;
  }

  /**
   * Publishes and waits for the broker's confirm.
   *
   * @throws IOException when the broker refused it, did not confirm in time, or the channel failed
   */
  public synchronized void publish(
      String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body)
      throws IOException {
    Channel ch = channel();
    ch.basicPublish(exchange, routingKey, properties, body);
    try {
      ch.waitForConfirmsOrDie(confirmTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the broker to confirm", e);
    } catch (TimeoutException e) {
      throw new IOException("the broker did not confirm within " + confirmTimeout, e);
    }
  }

  /**
   * Makes sure a queue named {@code name} exists, declaring it durable when it does not, so that
   * messages sent to it before its reader arrives are kept rather than dropped as unroutable. A
   * queue that exists is left exactly as it is (whatever its arguments, exclusive or not).
   */
  public void ensureQueue(String name) throws IOException {
    if (knownQueues.contains(name)) {
      return;
    }
    try (Channel probe = connection.createChannel()) {
      probe.queueDeclarePassive(name);
    } catch (IOException e) {
      int code = replyCode(e);
      if (code == 404) {
        try (Channel declare = connection.createChannel()) {
          declare.queueDeclare(name, true, false, false, null);
          LOG.info("declared the trigger queue {}", name);
        } catch (IOException refused) {
          if (replyCode(refused) != 403) {
            throw refused;
          }
          // ACCESS_REFUSED ("amq." names are reserved, or no configure permission) will not
          // change: failing would hold the request forever. Reports to it are dropped instead.
          LOG.warn("the trigger queue {} cannot be created ({}); reports to it are dropped", name,
              Failures.describe(refused));
        } catch (TimeoutException te) {
          throw new IOException(te);
        }
      } else if (code != 405) { // 405 RESOURCE_LOCKED: it exists, exclusive to its reader
        throw e;
      }
    } catch (TimeoutException e) {
      throw new IOException(e);
    }
    knownQueues.add(name);
  }

  private static int replyCode(IOException e) {
    if (e.getCause() instanceof ShutdownSignalException signal
        && signal.getReason() instanceof AMQP.Channel.Close close) {
      return close.getReplyCode();
    }
    return -1;
  }

  private Channel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      channel = connection.createChannel();
      channel.confirmSelect();
    }
    return channel;
  }

  @Override
  public synchronized void close() {
    if (channel != null && channel.isOpen()) {
      try {
        channel.close();
      } catch (IOException | TimeoutException | RuntimeException e) {
        LOG.debug("closing the publishing channel failed", e);
      }
    }
  }
}
