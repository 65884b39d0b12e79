package dev.imagebuilder.amqp.internal;

import com.rabbitmq.client.AMQP;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivered request on a worker: its items' builds, their progress reports, their tickets in
 * the journal, and the acknowledgement once every item's end is published.
 *
 * <p>Confined to the worker's single I/O thread: every method runs there, so its state needs no
 * locks, and the reports of one item leave in the order they were made.
 */
final class RequestRun {
  private static final Logger LOG = LoggerFactory.getLogger(RequestRun.class);
  private static final Duration REPUBLISH_DELAY = Duration.ofSeconds(5);

  /**
   * What a run works with: the worker's settings, journal, builds and I/O thread, its current
   * publisher (a new one after each reconnect), and what to do once the run is over (acknowledge
   * the delivery).
   */
  record Collaborators(
      WorkerSettings settings,
      RequestJournal journal,
      Supplier<ConfirmedPublisher> currentPublisher,
      Builds builds,
      ScheduledExecutorService io,
      Consumer<RequestRun> finished) {
    ConfirmedPublisher publisher() {
      return currentPublisher.get();
    }
  }

  private final class Item {
    final int index;
    final ImageRequest request;
    BuildHandle handle;
    BuildListener.Subscription subscription;
    boolean terminal;
    String lastTicket;
    String lastProgress;
    /** Set once the engine recorded this item's ticket itself (write-ahead): snapshots never replace it. */
    volatile boolean journaled;

    Item(int index, ImageRequest request) {
      this.index = index;
      this.request = request;
    }
  }

  private final Collaborators worker;
  private final String requestId;
  private final long deliveryTag;
  private final AMQP.BasicProperties properties;
  private final List<Item> items = new ArrayList<>();
  /**
   * Guards {@link #entry} and its writes: the engine records tickets from its own threads, before
   * each remote call, while everything else runs on the I/O thread.
   */
  private final Object journalLock = new Object();
  private RequestJournal.Entry entry;
  private ScheduledFuture<?> heartbeat;
  private boolean over;

  RequestRun(Collaborators worker, String requestId, long deliveryTag, AMQP.BasicProperties properties,
      List<ImageRequest> requests, RequestJournal.Entry entry) {
    this.worker = worker;
    this.requestId = requestId;
    this.deliveryTag = deliveryTag;
    this.properties = properties;
    for (int i = 0; i < requests.size(); i++) {
      items.add(new Item(i, requests.get(i)));
    }
    List<RequestJournal.Item> recorded = new ArrayList<>(entry.items());
    if (recorded.size() != requests.size()) {
      recorded = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        recorded.add(RequestJournal.Item.NEW);
      }
    }
    this.entry = entry.withItems(recorded);
  }

  String requestId() {
    return requestId;
  }

  long deliveryTag() {
    return deliveryTag;
  }

  /** Submits or resumes every item not yet finished; cancels them if the request was cancelled. */
  void start(boolean cancelled) {
    synchronized (journalLock) {
      worker.journal().write(entry);
    }
    for (Item item : items) {
      RequestJournal.Item recorded = entry.items().get(item.index);
      if (recorded.terminalPublished()) {
        item.terminal = true;
        continue;
      }
      if (recorded.ticket() == null && cancelled) {
        publishTerminal(item, BuildStatus.CANCELLED, List.of(), "cancelled before it started", null);
        continue;
      }
      boolean resumable = recorded.ticket() != null && holdsTargets(recorded.ticket());
      if (recorded.ticket() != null && !resumable) {
        // Tickets are recorded before every remote call, and a build makes none before it has
        // planned its targets: a ticket without targets proves nothing was asked of anyone.
        LOG.info("request {} item {}: its ticket holds no targets, so nothing was requested under it;"
            + " submitting it now", requestId, item.index);
      }
      try {
        if (resumable) {
          item.journaled = true;
          item.handle = worker.builds().resume(recorded.ticket(), itemJournal(item));
          LOG.info("request {} item {}: resumed build {} from its ticket", requestId, item.index,
              item.handle.id());
        } else {
          item.handle = worker.builds().submit(item.request, itemJournal(item));
          LOG.info("request {} item {}: submitted build {} to {}", requestId, item.index,
              item.handle.id(), item.handle.backend());
        }
      } catch (RuntimeException e) {
        LOG.warn("request {} item {}: could not {}: {}", requestId, item.index,
            resumable ? "resume" : "submit", describe(e));
        publishTerminal(item, BuildStatus.ERROR, List.of(), describe(e), null);
        continue;
      }
      journalTicket(item);
      int index = item.index;
      item.subscription = item.handle.subscribe(event -> {
        try {
          worker.io().execute(() -> onEvent(index, event));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          // The worker is gone; whoever takes the request over reports it.
        }
      });
      if (cancelled) {
        item.handle.cancel();
      } else {
        publishRunning(item);
      }
    }
    finishIfDone();
    if (!over) {
      long every = worker.settings().progressInterval().toMillis();
      heartbeat = worker.io().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** Cancels every build of this request that is still running. */
  void cancel() {
    for (Item item : items) {
      if (!item.terminal && item.handle != null) {
        item.handle.cancel();
      }
    }
  }

  /**
   * Stops reporting without acknowledging: the connection is gone, the broker gives the request
   * to another worker, which resumes it from the journal.
   */
  void abandon() {
    over = true;
    stopHeartbeat();
    for (Item item : items) {
      if (item.subscription != null) {
        item.subscription.close();
      }
    }
  }

  private void onEvent(int index, BuildEvent event) {
    Item item = items.get(index);
    if (over || item.terminal) {
      return;
    }
    journalTicket(item);
    if (event instanceof BuildEvent.Completed done) {
      publishTerminal(item, done.status(),
          done.result() != null ? done.result().targets() : item.handle.targets(),
          done.failure() != null ? done.failure() : summary(item.handle.targets()),
          done.result() != null ? done.result().finished() : done.time());
    } else if (event instanceof BuildEvent.Progress p) {
      item.lastProgress = p.targetKey() + ": " + p.message()
          + (p.fraction() >= 0 ? " (" + Math.round(p.fraction() * 100) + "%)" : "");
    } else if (event instanceof BuildEvent.RetryScheduled r) {
      item.lastProgress = r.targetKey() + ": " + r.action() + " retry " + r.attempt() + "/"
          + r.maxAttempts() + " in " + r.delay() + " (" + r.reason() + ")";
      publishRunning(item);
    } else if (event instanceof BuildEvent.Submitted || event instanceof BuildEvent.TargetStateChanged) {
      publishRunning(item);
    }
  }

  private void heartbeat() {
    if (over) {
      return;
    }
    for (Item item : items) {
      if (!item.terminal && item.handle != null) {
        journalTicket(item);
        publishRunning(item);
      }
    }
  }

  private void publishRunning(Item item) {
    if (over || item.terminal) {
      return;
    }
    List<TargetStatus> targets = item.handle.targets();
    if (item.handle.status().isDone()
        || !targets.isEmpty() && targets.stream().allMatch(t -> t.state().isTerminal())) {
      return; // the end follows as its own report, with the build's status and result
    }
    String message = item.lastProgress != null ? item.lastProgress : summary(targets);
    try {
      publish(item, report(item, BuildStatus.RUNNING, targets, message, null));
    } catch (IOException | RuntimeException e) {
      LOG.warn("request {} item {}: progress not published: {}", requestId, item.index, describe(e));
    }
  }

  private void publishTerminal(
      Item item, BuildStatus status, List<TargetStatus> targets, String message, Instant finished) {
    if (over) {
      return;
    }
    item.terminal = true;
    ProgressReport report = report(item, status, targets, message, finished);
    try {
      publish(item, report);
    } catch (IOException | RuntimeException e) {
      // Not acknowledged until its end is out: try again; if the connection is gone instead,
      // the request goes to another worker, which resumes the finished build and reports it.
      LOG.warn("request {} item {}: final report not published ({}); retrying in {}",
          requestId, item.index, describe(e), REPUBLISH_DELAY);
      worker.io().schedule(() -> {
        item.terminal = false;
        publishTerminal(item, status, targets, message, finished);
      }, REPUBLISH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    if (item.subscription != null) {
      item.subscription.close();
    }
    synchronized (journalLock) {
      entry = entry.withItem(item.index, entry.items().get(item.index).published());
      writeJournal("the end of item " + item.index);
    }
    LOG.info("request {} item {}: {} ({})", requestId, item.index, report.state(), status);
    finishIfDone();
  }

  private void finishIfDone() {
    if (over || !items.stream().allMatch(i -> i.terminal)) {
      return;
    }
    over = true;
    stopHeartbeat();
    synchronized (journalLock) {
      entry = entry.finishedAt(Instant.now());
      writeJournal("the request's end");
    }
    worker.finished().accept(this);
  }

  /**
   * Records an end that was already published. Failing to record it must not keep the request
   * from being acknowledged: every end is out, and the journal only serves a redelivery, which
   * the acknowledgement prevents (at worst a redelivery publishes the end again).
   */
  private void writeJournal(String what) {
    try {
      worker.journal().write(entry);
    } catch (RuntimeException e) {
      LOG.error("request {}: {} was published but not journaled: {}", requestId, what, e.toString());
    }
  }

  /**
   * Records a snapshot of the item's ticket, for backends that do not record their own (local
   * work). Once the engine recorded the ticket itself, a snapshot (which may be older than the
   * last record) never replaces it.
   */
  private void journalTicket(Item item) {
    if (item.handle == null || item.journaled) {
      return;
    }
    try {
      Ticket ticket = item.handle.ticket(); // read outside the lock: the job records under its own
      if (!ticket.json().equals(item.lastTicket)) {
        synchronized (journalLock) {
          if (item.journaled) {
            return;
          }
          entry = entry.withItem(item.index, entry.items().get(item.index).withTicket(ticket));
          worker.journal().write(entry);
        }
        item.lastTicket = ticket.json();
      }
    } catch (RuntimeException e) {
      LOG.error("request {} item {}: ticket not journaled; a takeover would lose this build: {}",
          requestId, item.index, e.toString());
    }
  }

  /**
   * The journal the engine records the item's ticket in before each remote call, durably: a
   * worker killed right after would have it for the takeover. A failure to write it fails the
   * build, so no call is made that nothing would remember.
   */
  private TicketJournal itemJournal(Item item) {
    return (buildId, ticket) -> {
      synchronized (journalLock) {
        entry = entry.withItem(item.index, entry.items().get(item.index).withTicket(ticket));
        worker.journal().write(entry);
        item.journaled = true;
      }
    };
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper TICKETS = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Whether a recorded ticket names any target (its build planned before it was recorded). */
  static boolean holdsTargets(Ticket ticket) {
    try {
      com.fasterxml.jackson.databind.JsonNode targets = TICKETS.readTree(ticket.json()).path("targets");
      return targets.isArray() && !targets.isEmpty();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return true; // unreadable: let resume say what is wrong with it, never submit blindly
    }
  }

  /**
   * Publishes to the item's trigger queue, created durable if missing (its reader may come
   * later), and to the message's reply queue if it still exists (a reply queue that is gone
   * belongs to a client that gave up: the report is dropped, not parked in a new queue).
   */
  private void publish(Item item, ProgressReport report) throws IOException {
    byte[] body = report.toJson();
    String trigger = item.request.trigger();
    if (trigger != null) {
      worker.publisher().ensureQueue(trigger);
      worker.publisher().publish("", trigger, reportProperties(requestId), body);
    }
    String replyTo = properties.getReplyTo();
    if (replyTo != null && !replyTo.isBlank() && !replyTo.equals(trigger)) {
      worker.publisher().publish("", replyTo, reportProperties(requestId), body);
    }
  }

  static AMQP.BasicProperties reportProperties(String requestId) {
    return new AMQP.BasicProperties.Builder()
        .contentType(Headers.JSON)
        .contentEncoding("utf-8")
        .deliveryMode(2)
        .correlationId(requestId)
        .timestamp(new java.util.Date())
        .headers(Map.of(Headers.REQUEST_ID, requestId))
        .build();
  }

  private ProgressReport report(
      Item item, BuildStatus status, List<TargetStatus> targets, String message, Instant finished) {
    return new ProgressReport(requestId, item.index, items.size(), item.request.imageType(),
        item.handle == null ? null : item.handle.id(),
        item.handle == null ? null : item.handle.backend(),
        ProgressReport.stateOf(status), status, message, targets, finished,
        worker.settings().workerId(), Instant.now());
  }

  private void stopHeartbeat() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
  }

  static String summary(List<TargetStatus> targets) {
    if (targets.isEmpty()) {
      return "waiting for targets";
    }
    Map<TargetState, Long> counts = targets.stream()
        .collect(Collectors.groupingBy(TargetStatus::state, () -> new EnumMap<>(TargetState.class),
            Collectors.counting()));
    return targets.size() + " target" + (targets.size() == 1 ? "" : "s") + ": "
        + counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(java.util.Locale.ROOT))
            .collect(Collectors.joining(", "));
  }

  static String describe(Throwable e) {
    return Failures.describe(e);
  }
}
