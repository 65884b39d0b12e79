package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.core.WireFormat;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request handed to the workers: published with its reply queue, then followed through the
 * progress messages on that queue. Each message carries every target's snapshot, so the latest
 * one is the whole truth; messages are acknowledged once applied, so a process that resumes the
 * build finds those it had not seen still waiting.
 */
final class RemoteBuildJob implements BuildJob {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteBuildJob.class);

  private final RemoteBackend backend;
  private final String requestId;
  private final String replyQueue;
  private final BuildContext context;
  /** The key of the one target that stands for the request until a worker reports the real ones. */
  static final String HANDOFF_TARGET = "request";
  private Set<String> declaredKeys = Set.of();
  private volatile Channel channel;
  private volatile boolean ended;
  /** "publishing" once the hand-off is recorded, "published" once the broker confirmed it. */
  private volatile String phase = "new";

  RemoteBuildJob(RemoteBackend backend, String requestId, String replyQueue, BuildContext context) {
    this.backend = backend;
    this.requestId = requestId;
    this.replyQueue = replyQueue;
    this.context = context;
  }

  /**
   * Declares the reply queue, starts listening, then publishes the request (confirmed). The
   * hand-off is recorded before the publish and its confirmation after it (DESIGN 4.9), with one
   * placeholder target standing for the request until the worker reports the real ones.
   */
  void submit() {
    try {
      listen();
      synchronized (this) {
        context.declareTargets(List.of(placeholder()));
        declaredKeys = Set.of(HANDOFF_TARGET);
        phase = "publishing";
        context.checkpoint(state());
      }
      AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
          .contentType(Headers.JSON)
          .contentEncoding("utf-8")
          .deliveryMode(2)
          .messageId(requestId)
          .replyTo(replyQueue)
          .headers(Map.of(Headers.REQUEST_ID, requestId))
          .build();
      byte[] body = WireFormat.write(List.of(context.request())).getBytes(StandardCharsets.UTF_8);
      backend.publisher().publish("", backend.settings().topology().queue(), properties, body);
      synchronized (this) {
        phase = "published";
        context.checkpoint(state());
      }
      LOG.info("build {}: request {} sent to queue {}", context.buildId(), requestId,
          backend.settings().topology().queue());
    } catch (IOException e) {
      throw new RemoteServiceException(0, "PUBLISH", backend.redactedUri(),
          "the request could not be handed to the queue: " + Failures.describe(e));
    }
  }

  /** Declares the reply queue (idempotent) and consumes it. */
  void listen() {
    listen(false);
  }

  /**
   * Consumes the reply queue of a build started elsewhere; it must still exist. A hand-off
   * recorded as begun but never confirmed cannot be checked from here (the broker does not say
   * whether it took a message): it is reported UNCONFIRMED, never published again blindly.
   */
  void reattach(String recordedPhase) {
    phase = recordedPhase == null ? "published" : recordedPhase;
    if ("publishing".equals(phase)) {
      ended = true;
      context.declareTargets(List.of(placeholder().withState(TargetState.UNCONFIRMED, "hand-off unconfirmed")
          // What to do within the first 240 characters: the command line shows no more of an error.
          .withError("look for a worker journal entry named " + requestId + ".json, or reports on " + replyQueue
              + "; if there are none, submit the request again. It was being handed to queue "
              + backend.settings().topology().queue() + " when the process stopped, and its confirmation was"
              + " never recorded: whether a worker has it cannot be checked from here")));
      return;
    }
    listen(true);
  }

  private TargetStatus placeholder() {
    return TargetStatus.queued(HANDOFF_TARGET, Map.of("request_id", requestId, "queue",
        backend.settings().topology().queue())).withState(TargetState.QUEUED, "handed to the queue");
  }

  private void listen(boolean existing) {
    try {
      Channel ch = backend.connection().createChannel();
      channel = ch;
      if (existing) {
        try {
          ch.queueDeclarePassive(replyQueue);
        } catch (IOException e) {
          throw new ImageBuildException("cannot resume request " + requestId + ": its reply queue "
              + replyQueue + " is gone (its final report was read already, or it expired after "
              + backend.settings().replyExpiry() + " unused)");
        }
      } else {
        // Durable and not exclusive, so another process can resume the build from its ticket;
        // it expires once nobody has used it for the configured time.
        ch.queueDeclare(replyQueue, true, false, false,
            Map.of("x-expires", backend.settings().replyExpiry().toMillis()));
      }
      ch.basicQos(16);
      ch.basicConsume(replyQueue, false, "imagebuilder-client " + requestId, new DefaultConsumer(ch) {
        @Override
        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
            throws IOException {
          ProgressReport report;
          try {
            report = ProgressReport.fromJson(body);
          } catch (IllegalArgumentException e) {
            LOG.warn("build {}: ignored a message on {}: {}", context.buildId(), replyQueue, e.getMessage());
            ch.basicAck(env.getDeliveryTag(), false);
            return;
          }
          boolean last = requestId.equals(report.requestId()) && (report.isTerminal()
              || !report.targets().isEmpty()
                  && report.targets().stream().allMatch(t -> t.state().isTerminal()));
          if (last) {
            // The end: clean up before applying it, since applying it lets the caller go on
            // (and maybe close this connection) at once.
            ch.basicAck(env.getDeliveryTag(), false);
            stopListening(true);
            apply(report);
          } else {
            apply(report);
            ch.basicAck(env.getDeliveryTag(), false);
          }
        }

        @Override
        public void handleShutdownSignal(String tag, ShutdownSignalException sig) {
          if (!ended && !sig.isInitiatedByApplication()) {
            LOG.warn("build {}: reply channel closed: {}", context.buildId(), sig.getMessage());
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on the reply queue " + replyQueue, e);
    }
  }

  private synchronized void apply(ProgressReport report) {
    if (ended || !requestId.equals(report.requestId())) {
      return;
    }
    List<TargetStatus> targets = report.targets();
    if (!targets.isEmpty()) {
      Set<String> keys = targets.stream().map(TargetStatus::key).collect(Collectors.toSet());
      if (!keys.equals(declaredKeys)) {
        context.declareTargets(targets);
        declaredKeys = keys;
      } else {
        targets.forEach(context::update);
      }
    }
    if (!report.isTerminal()) {
      if (report.message() != null && !targets.isEmpty()) {
        String key = targets.stream().filter(t -> !t.state().isTerminal()).findFirst()
            .orElse(targets.get(0)).key();
        context.progress(key, -1, report.message());
      }
      return;
    }
    ended = true;
    boolean allTerminal = !targets.isEmpty() && targets.stream().allMatch(t -> t.state().isTerminal());
    if (report.status() == BuildStatus.ERROR || !allTerminal) {
      context.fail(new ImageBuildException("the worker " + (report.worker() == null ? "" : report.worker() + " ")
          + "ended request " + requestId + " with " + report.status()
          + (report.message() == null ? "" : ": " + report.message())));
    }
  }

  /** Sends a cancel message every worker of the queue receives; the one holding it cancels. */
  @Override
  public void cancel() {
    ended = true;
    try {
      backend.publisher().publish(backend.settings().topology().controlExchange(), "",
          new AMQP.BasicProperties.Builder().contentType(Headers.JSON).deliveryMode(2)
              .headers(Map.of(Headers.REQUEST_ID, requestId)).build(),
          ControlMessage.cancel(requestId).toJson());
      LOG.info("build {}: cancel of request {} sent", context.buildId(), requestId);
    } catch (IOException e) {
      throw new RemoteServiceException(0, "CANCEL", backend.redactedUri(),
          "the cancel could not be sent: " + Failures.describe(e));
    } finally {
      stopListening(true);
    }
  }

  private void stopListening(boolean deleteQueue) {
    Channel ch = channel;
    if (ch == null || !ch.isOpen()) {
      return;
    }
    try {
      if (deleteQueue) {
        ch.queueDelete(replyQueue);
      }
      ch.close();
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      LOG.debug("closing the reply channel of {} failed", requestId, e);
    }
  }

  @Override
  public Map<String, Object> state() {
    return Map.of("request_id", requestId, "reply_queue", replyQueue,
        "queue", backend.settings().topology().queue(), "handoff", phase);
  }
}
