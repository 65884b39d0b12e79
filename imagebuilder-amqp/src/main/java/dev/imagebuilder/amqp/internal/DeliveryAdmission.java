package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of a delivery from the work queue, and carries the decision out: a message
 * without a request id gets one; a request id already used by another body, one taken up too
 * often, or a body that is not a request, is dead-lettered (and its reply and trigger queues are
 * told); a request whose end was published is acknowledged again; anything else is admitted.
 */
final class DeliveryAdmission {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryAdmission.class);

  /** What becomes of one delivery. */
  sealed interface Decision {}

  /** No request id: publish it again with one, acknowledge the original. */
  record AssignId() implements Decision {}

  /** The same request again (same id, same body) after its end was published: acknowledge only. */
  record AlreadyFinished(String requestId) implements Decision {}

  /**
   * Dead-letter it with {@code error} (and the field at fault, if any); {@code finished}, when
   * not null, is the journal entry to record as finished (null: the entry is another request's).
   */
  record Reject(String requestId, String field, String error, RequestJournal.Entry finished) implements Decision {}

  /** Build it: the parsed requests and the entry recording this delivery. */
  record Admit(String requestId, List<ImageRequest> requests, RequestJournal.Entry entry) implements Decision {}

  private final WorkerSettings settings;
  private final RequestJournal journal;
  private final Supplier<ConfirmedPublisher> publisher;
  private final Function<String, List<ImageRequest>> parser;

  DeliveryAdmission(WorkerSettings settings, RequestJournal journal, Supplier<ConfirmedPublisher> publisher,
      Function<String, List<ImageRequest>> parser) {
    this.settings = settings;
    this.journal = journal;
    this.publisher = publisher;
    this.parser = parser;
  }

  /**
   * Decides on a delivery of {@code requestId} (null when the message has none) given its journal
   * entry; reads and writes nothing.
   */
  Decision decide(String requestId, RequestJournal.Entry recorded, byte[] body) {
    if (requestId == null) {
      return new AssignId();
    }
    String bodySha256 = sha256(body);
    if (recorded.known() && recorded.bodySha256() != null && !recorded.bodySha256().equals(bodySha256)) {
      // A request id names one request: another body under it is a different request, which
      // must neither be taken for the first (and dropped) nor overwrite its journal entry.
      return new Reject(requestId, "message_id", "'" + requestId + "' was already used by"
          + " another request (a different body); give each request its own message_id", null);
    }
    if (recorded.finished() != null) {
      return new AlreadyFinished(requestId);
    }
    RequestJournal.Entry entry = recorded.delivered().withBody(bodySha256);
    if (entry.deliveries() > settings.maxDeliveries()) {
      return new Reject(requestId, null, "taken up " + (entry.deliveries() - 1)
          + " times without finishing (more than " + settings.maxDeliveries() + ")", entry);
    }
    try {
      List<ImageRequest> requests = parser.apply(decode(body));
      if (requests.isEmpty()) {
        throw new InvalidRequestException("request", "is an empty list");
      }
      return new Admit(requestId, requests, entry);
    } catch (RuntimeException e) {
      String field = e instanceof InvalidRequestException ire ? ire.field() : null;
      return new Reject(requestId, field, RequestRun.describe(e), entry);
    }
  }

  /**
   * Decides on a delivery and acts on every decision but admission, which it returns for the
   * worker to build.
   */
  Optional<Admit> admit(Channel channel, long tag, AMQP.BasicProperties props, byte[] body) throws IOException {
    String requestId = Headers.requestId(props);
    RequestJournal.Entry recorded = requestId == null ? null : journal.read(requestId);
    Decision decision = decide(requestId, recorded, body);
    if (decision instanceof Admit a) {
      return Optional.of(a);
    }
    if (decision instanceof AssignId) {
      assignId(channel, tag, props, body);
    } else if (decision instanceof AlreadyFinished f) {
      LOG.info("request {} was finished already (the same body again); acknowledging it without building it again",
          f.requestId());
      channel.basicAck(tag, false);
    } else if (decision instanceof Reject r) {
      reject(channel, tag, props, body, r.requestId(), r.field(), r.error());
      if (r.finished() != null) {
        journal.write(r.finished().finishedAt(Instant.now()));
      }
    }
    return Optional.empty();
  }

  /**
   * A message without a request id gets one: it is published again with the id in its headers,
   * then the original is acknowledged, so that a redelivery always carries the id its journal
   * entry is filed under.
   */
  private void assignId(Channel channel, long tag, AMQP.BasicProperties props, byte[] body) throws IOException {
    String id = UUID.randomUUID().toString();
    Map<String, Object> headers = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
    headers.put(Headers.REQUEST_ID, id);
    AMQP.BasicProperties withId = props.builder().headers(headers).deliveryMode(2).build();
    publisher.get().publish("", settings.topology().queue(), withId, body);
    channel.basicAck(tag, false);
    LOG.info("assigned request id {} to a message without one", id);
  }

  /**
   * Sends a request that cannot be served to the dead-letter exchange, with why in its headers,
   * tells its reply queue and trigger queues, and acknowledges it: it is never requeued.
   */
  private void reject(Channel channel, long tag, AMQP.BasicProperties props, byte[] body,
      String requestId, String field, String error) throws IOException {
    ConfirmedPublisher out = publisher.get();
    Map<String, Object> headers = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
    headers.put(Headers.REQUEST_ID, requestId);
    headers.put(Headers.ERROR, error);
    if (field != null) {
      headers.put(Headers.ERROR_FIELD, field);
    }
    headers.put(Headers.ORIGINAL_QUEUE, settings.topology().queue());
    headers.put(Headers.REJECTED_BY, settings.workerId());
    out.publish(settings.topology().deadLetterExchange(), settings.topology().queue(),
        props.builder().headers(headers).deliveryMode(2).build(), body);
    LOG.warn("request {} dead-lettered: {}", requestId, error);
    ProgressReport report = new ProgressReport(requestId, 0, 0, null, null, null,
        ProgressReport.FAILED, BuildStatus.ERROR, "rejected: " + error,
        List.of(), null, settings.workerId(), Instant.now());
    // Whoever waits on the request hears of the rejection: its reply queue, and every trigger
    // queue the message names (the request's own reader, even when the rest of it is invalid).
    Set<String> audience = new LinkedHashSet<>(RejectedTriggers.of(body));
    String replyTo = props.getReplyTo();
    if (replyTo != null && !replyTo.isBlank()) {
      audience.add(replyTo);
    }
    for (String queue : audience) {
      try {
        if (!queue.equals(replyTo)) {
          out.ensureQueue(queue);
        }
        out.publish("", queue, RequestRun.reportProperties(requestId), report.toJson());
      } catch (IOException | RuntimeException e) {
        LOG.warn("request {}: the rejection could not be reported to {}: {}", requestId, queue, e.toString());
      }
    }
    channel.basicAck(tag, false);
  }

  static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static String decode(byte[] body) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidRequestException("body", "is not UTF-8 text");
    }
  }
}
