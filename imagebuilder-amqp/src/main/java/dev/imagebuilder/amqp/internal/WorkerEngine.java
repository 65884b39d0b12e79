package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker behind {@code QueueWorker}: one connection, a consumer on the work queue with manual
 * acknowledgements and a prefetch limit, a consumer of cancel messages, and a single I/O thread
 * on which deliveries, build events and reports are handled in order.
 */
public final class WorkerEngine implements RequestRun.Host {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerEngine.class);
  private static final Duration RECONNECT_DELAY = Duration.ofSeconds(5);

  private final WorkerSettings settings;
  private final Builds builds;
  private final Function<String, List<ImageRequest>> parser;
  private final RequestJournal journal;
  private final ScheduledExecutorService io;
  private static final ThreadLocal<Boolean> WORKER_THREAD = ThreadLocal.withInitial(() -> false);

  private final Map<Long, RequestRun> runs = new ConcurrentHashMap<>();
  private volatile Connection connection;
  private volatile Channel consumerChannel;
  private volatile ConfirmedPublisher publisher;
  private volatile boolean closing;

  public WorkerEngine(
      WorkerSettings settings, Builds builds, Function<String, List<ImageRequest>> parser) {
    this.settings = settings;
    this.builds = builds;
    this.parser = parser;
    this.journal = new RequestJournal(settings.journal());
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(() -> {
        WORKER_THREAD.set(true);
        r.run();
      }, "amqp-worker-" + settings.topology().queue());
      t.setDaemon(true);
      return t;
    }) {
      @Override
      protected void afterExecute(Runnable task, Throwable thrown) {
        logFailure(task, thrown);
      }
    };
    this.io = executor;
  }

  /**
   * A scheduled executor keeps what its tasks throw in their futures, which nobody reads: without
   * this, a failure on the I/O thread (a journal that cannot be written, say) would vanish.
   */
  private static void logFailure(Runnable task, Throwable thrown) {
    Throwable failure = thrown;
    if (failure == null && task instanceof Future<?> future && future.isDone() && !future.isCancelled()) {
      try {
        future.get();
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure != null) {
      LOG.error("a task of the worker failed", failure);
    }
  }

  /** True on a worker's I/O thread, where requests are submitted to the local builder. */
  static boolean isWorkerThread() {
    return WORKER_THREAD.get();
  }

  /** Connects, declares the topology and starts consuming. */
  public synchronized void start() throws IOException {
    if (closing) {
      throw new IllegalStateException("the worker was closed");
    }
    if (connection != null) {
      throw new IllegalStateException("the worker was started already");
    }
    int purged = journal.purgeFinishedBefore(Instant.now().minus(settings.journalRetention()));
    if (purged > 0) {
      LOG.info("removed {} journal entries of requests finished over {} ago", purged,
          settings.journalRetention());
    }
    connect();
  }

  private void connect() throws IOException {
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
          io.execute(() -> onControl(body));
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
              io.execute(() -> accept(consumer, env, props, body));
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
    io.execute(this::abandonAll);
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

  private void abandonAll() {
    runs.values().forEach(RequestRun::abandon);
    runs.clear();
  }

  /** Handles one delivery from the work queue (on the I/O thread). */
  private void accept(Channel channel, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    long tag = envelope.getDeliveryTag();
    try {
      String requestId = Headers.requestId(props);
      if (requestId == null) {
        assignId(channel, tag, props, body);
        return;
      }
      RequestJournal.Entry entry = journal.read(requestId);
      String bodySha256 = sha256(body);
      if (entry.known() && entry.bodySha256() != null && !entry.bodySha256().equals(bodySha256)) {
        // A request id names one request: another body under it is a different request, which
        // must neither be taken for the first (and dropped) nor overwrite its journal entry.
        rejectOnly(channel, tag, props, body, requestId, "message_id", "'" + requestId + "' was already used by"
            + " another request (a different body); give each request its own message_id");
        return;
      }
      if (entry.finished() != null) {
        // The same request again (same id, same body): its end was published; not built again.
        LOG.info("request {} was finished already (the same body again); acknowledging it without building it again",
            requestId);
        channel.basicAck(tag, false);
        return;
      }
      entry = entry.delivered().withBody(bodySha256);
      if (entry.deliveries() > settings.maxDeliveries()) {
        reject(channel, tag, props, body, requestId, null, "taken up " + (entry.deliveries() - 1)
            + " times without finishing (more than " + settings.maxDeliveries() + ")");
        journal.write(entry.finishedAt(Instant.now()));
        return;
      }
      List<ImageRequest> requests;
      try {
        requests = parser.apply(decode(body));
        if (requests.isEmpty()) {
          throw new InvalidRequestException("request", "is an empty list");
        }
      } catch (RuntimeException e) {
        String field = e instanceof InvalidRequestException ire ? ire.field() : null;
        reject(channel, tag, props, body, requestId, field, RequestRun.describe(e));
        journal.write(entry.finishedAt(Instant.now()));
        return;
      }
      RequestRun run = new RequestRun(this, requestId, tag, props, requests, entry);
      runs.put(tag, run);
      LOG.info("request {}: {} item(s){}", requestId, requests.size(),
          entry.deliveries() > 1 ? ", delivery " + entry.deliveries() + ", resuming" : "");
      run.start(journal.isCancelled(requestId));
    } catch (IOException | RuntimeException e) {
      // Leave it unacknowledged: it returns to the queue when this connection ends.
      LOG.error("delivery {} could not be handled; it stays unacknowledged", tag, e);
    }
  }

  /**
   * A message without a request id gets one: it is published again with the id in its headers,
   * then the original is acknowledged, so that a redelivery always carries the id its journal
   * entry is filed under.
   */
  private void assignId(Channel channel, long tag, AMQP.BasicProperties props, byte[] body)
      throws IOException {
    String id = UUID.randomUUID().toString();
    Map<String, Object> headers = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
    headers.put(Headers.REQUEST_ID, id);
    AMQP.BasicProperties withId = props.builder().headers(headers).deliveryMode(2).build();
    publisher.publish("", settings.topology().queue(), withId, body);
    channel.basicAck(tag, false);
    LOG.info("assigned request id {} to a message without one", id);
  }

  /**
   * Sends a request that cannot be served to the dead-letter exchange, with why in its headers,
   * tells its reply queue if it has one, and acknowledges it: it is never requeued.
   */
  /** Dead-letters a delivery without touching the journal entry its id names (it may be another request's). */
  private void rejectOnly(Channel channel, long tag, AMQP.BasicProperties props, byte[] body,
      String requestId, String field, String error) throws IOException {
    reject(channel, tag, props, body, requestId, field, error);
  }

  private static String sha256(byte[] body) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private void reject(Channel channel, long tag, AMQP.BasicProperties props, byte[] body,
      String requestId, String field, String error) throws IOException {
    Map<String, Object> headers = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
    headers.put(Headers.REQUEST_ID, requestId);
    headers.put(Headers.ERROR, error);
    if (field != null) {
      headers.put(Headers.ERROR_FIELD, field);
    }
    headers.put(Headers.ORIGINAL_QUEUE, settings.topology().queue());
    headers.put(Headers.REJECTED_BY, settings.workerId());
    publisher.publish(settings.topology().deadLetterExchange(), settings.topology().queue(),
        props.builder().headers(headers).deliveryMode(2).build(), body);
    LOG.warn("request {} dead-lettered: {}", requestId, error);
    ProgressReport report = new ProgressReport(requestId, 0, 0, null, null, null,
        ProgressReport.FAILED, dev.imagebuilder.api.BuildStatus.ERROR, "rejected: " + error,
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
          publisher.ensureQueue(queue);
        }
        publisher.publish("", queue, RequestRun.reportProperties(requestId), report.toJson());
      } catch (IOException | RuntimeException e) {
        LOG.warn("request {}: the rejection could not be reported to {}: {}", requestId, queue, e.toString());
      }
    }
    channel.basicAck(tag, false);
  }

  private void onControl(byte[] body) {
    ControlMessage message;
    try {
      message = ControlMessage.fromJson(body);
    } catch (IllegalArgumentException e) {
      LOG.warn("ignored a control message: {}", e.getMessage());
      return;
    }
    if (message.isCancel()) {
      runs.values().stream().filter(r -> r.requestId().equals(message.requestId()))
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

  @Override
  public void finished(RequestRun run) {
    runs.remove(run.deliveryTag());
    Channel channel = consumerChannel;
    try {
      channel.basicAck(run.deliveryTag(), false);
    } catch (IOException | RuntimeException e) {
      LOG.warn("request {}: acknowledgement failed ({}); a redelivery will find it finished",
          run.requestId(), e.toString());
    }
  }

  /** How many requests this worker holds. */
  public int activeRequests() {
    return runs.size();
  }

  /**
   * Stops consuming and closes the connection without acknowledging what is in flight: the
   * broker gives those requests to other workers, which resume their builds from the journal.
   */
  public void close() {
    closing = true;
    try {
      io.submit(this::abandonAll).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("abandoning the runs did not finish", e);
    }
    Connection c = connection;
    if (c != null && c.isOpen()) {
      try {
        c.close(5_000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the connection failed", e);
      }
    }
    io.shutdownNow();
  }

  /** Drops the connection at once, as if the process had died (for tests of takeover). */
  public void abort() {
    closing = true;
    Connection c = connection;
    if (c != null) {
      c.abort();
    }
    io.shutdownNow();
  }

  @Override
  public WorkerSettings settings() {
    return settings;
  }

  @Override
  public RequestJournal journal() {
    return journal;
  }

  @Override
  public ConfirmedPublisher publisher() {
    return publisher;
  }

  @Override
  public Builds builds() {
    return builds;
  }

  @Override
  public ScheduledExecutorService io() {
    return io;
  }
}
