package dev.imagebuilder.amqp.internal;

import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on control messages (from the control exchange, on the I/O thread): a cancel stops the
 * runs of its request here and marks the request cancelled in the journal, for a copy of it still
 * waiting in the queue.
 */
final class ControlConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(ControlConsumer.class);

  private final Collection<RequestRun> runs;
  private final RequestJournal journal;

  /** {@code runs} is a live view of the runs this worker holds. */
  ControlConsumer(Collection<RequestRun> runs, RequestJournal journal) {
    this.runs = runs;
    this.journal = journal;
  }

  void onMessage(byte[] body) {
    ControlMessage message;
    try {
      message = ControlMessage.fromJson(body);
    } catch (IllegalArgumentException e) {
      LOG.warn("ignored a control message: {}", e.getMessage());
      return;
    }
    if (message.isCancel()) {
      runs.stream().filter(r -> r.requestId().equals(message.requestId()))
          .forEach(r -> {
            LOG.info("request {}: cancelling", r.requestId());
            r.cancel();
          });
      // The marker is for a request still waiting in the queue; a journal that cannot take it
      // must not spare the builds running here (cancelled above).
      try {
        journal.markCancelled(message.requestId());
      } catch (RuntimeException e) {
        LOG.error("request {}: the cancellation could not be journaled: {}", message.requestId(),
            Failures.describe(e));
      }
    }
  }
}
