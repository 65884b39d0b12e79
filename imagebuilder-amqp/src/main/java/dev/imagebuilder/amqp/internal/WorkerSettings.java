package dev.imagebuilder.amqp.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a worker runs.
 *
 * @param uri the broker ({@code amqp://user:pass@host:5672/vhost}); holds the password, so it is
 *     never logged or shown
 * @param queue the durable work queue
 * @param prefetch how many requests this worker holds at once (unacknowledged deliveries)
 * @param journal the journal directory, shared by every worker of the queue
 * @param progressInterval how often a running build's progress is published when nothing changes
 * @param confirmTimeout how long to wait for the broker to confirm a publication
 * @param maxDeliveries how many times a request may be taken up before it is dead-lettered
 * @param workerId names this worker in progress messages and dead letters
 * @param journalRetention how long journal entries of finished requests are kept
 */
public record WorkerSettings(
    URI uri,
    Topology topology,
    int prefetch,
    Path journal,
    Duration progressInterval,
    Duration confirmTimeout,
    int maxDeliveries,
    String workerId,
    Duration journalRetention) {

  public WorkerSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(workerId, "workerId");
    if (prefetch < 1 || prefetch > 65535) {
      throw new IllegalArgumentException("prefetch: " + prefetch + " is not between 1 and 65535");
    }
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries: " + maxDeliveries + " is less than 1");
    }
    positive("progressInterval", progressInterval);
    positive("confirmTimeout", confirmTimeout);
    positive("journalRetention", journalRetention);
  }

  private static void positive(String field, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(field + ": " + d + " is not a positive duration");
    }
  }

  @Override
  public String toString() {
    return "WorkerSettings[" + AmqpUris.redacted(uri) + ", queue=" + topology.queue()
        + ", prefetch=" + prefetch + ", journal=" + journal + ", worker=" + workerId + "]";
  }
}
