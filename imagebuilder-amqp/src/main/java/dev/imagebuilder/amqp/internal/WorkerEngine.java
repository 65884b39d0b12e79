package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import dev.imagebuilder.api.ImageRequest;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker behind {@code QueueWorker}: a single I/O thread on which deliveries, control
 * messages, build events and reports are handled in order, and the runs of the requests it holds.
 * {@link ConnectionSupervisor} keeps the connection, {@link DeliveryAdmission} decides on each
 * delivery, {@link ControlConsumer} acts on cancels, and each admitted request is a
 * {@link RequestRun}.
 */
public final class WorkerEngine {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerEngine.class);
  private static final ThreadLocal<Boolean> WORKER_THREAD = ThreadLocal.withInitial(() -> false);

  private final WorkerSettings settings;
  private final RequestJournal journal;
  private final ScheduledExecutorService io;
  private final ConnectionSupervisor connection;
  private final DeliveryAdmission admission;
  private final ControlConsumer control;
  private final RequestRun.Collaborators runsWith;
  private final Map<Long, RequestRun> runs = new ConcurrentHashMap<>();

  public WorkerEngine(
      WorkerSettings settings, Builds builds, Function<String, List<ImageRequest>> parser) {
    this.settings = settings;
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
    this.connection = new ConnectionSupervisor(settings, io, new ConnectionSupervisor.Handlers() {
      @Override
      public void delivery(Channel channel, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        accept(channel, envelope, props, body);
      }

      @Override
      public void control(byte[] body) {
        WorkerEngine.this.control.onMessage(body);
      }

      @Override
      public void lost() {
        abandonAll();
      }
    });
    this.admission = new DeliveryAdmission(settings, journal, connection::publisher, parser);
    this.control = new ControlConsumer(runs.values(), journal);
    this.runsWith = new RequestRun.Collaborators(settings, journal, connection::publisher, builds, io, this::finished);
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
    if (connection.isClosing()) {
      throw new IllegalStateException("the worker was closed");
    }
    if (connection.isConnected()) {
      throw new IllegalStateException("the worker was started already");
    }
    int purged = journal.purgeFinishedBefore(Instant.now().minus(settings.journalRetention()));
    if (purged > 0) {
      LOG.info("removed {} journal entries of requests finished over {} ago", purged,
          settings.journalRetention());
    }
    connection.connect();
  }

  private void abandonAll() {
    runs.values().forEach(RequestRun::abandon);
    runs.clear();
  }

  /** Handles one delivery from the work queue (on the I/O thread). */
  private void accept(Channel channel, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    long tag = envelope.getDeliveryTag();
    try {
      Optional<DeliveryAdmission.Admit> admitted = admission.admit(channel, tag, props, body);
      if (admitted.isEmpty()) {
        return;
      }
      DeliveryAdmission.Admit a = admitted.get();
      RequestRun run = new RequestRun(runsWith, a.requestId(), tag, props, a.requests(), a.entry());
      runs.put(tag, run);
      LOG.info("request {}: {} item(s){}", a.requestId(), a.requests().size(),
          a.entry().deliveries() > 1 ? ", delivery " + a.entry().deliveries() + ", resuming" : "");
      run.start(journal.isCancelled(a.requestId()));
    } catch (IOException | RuntimeException e) {
      // Leave it unacknowledged: it returns to the queue when this connection ends.
      LOG.error("delivery {} could not be handled; it stays unacknowledged", tag, e);
    }
  }

  /** A run is over: acknowledges its delivery. */
  private void finished(RequestRun run) {
    runs.remove(run.deliveryTag());
    Channel channel = connection.consumerChannel();
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
    connection.stop();
    try {
      io.submit(this::abandonAll).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("abandoning the runs did not finish", e);
    }
    connection.disconnect();
    io.shutdownNow();
  }

  /** Drops the connection at once, as if the process had died (for tests of takeover). */
  public void abort() {
    connection.abort();
    io.shutdownNow();
  }
}
