package dev.imagebuilder.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;
import dev.imagebuilder.core.internal.io.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The state file: every build of a run with its ticket and last known targets, so that a process
 * killed at any moment leaves a journal that {@code resume}, {@code cancel} and {@code status}
 * can read. Format {@code image-builder-state/1}, described in docs/cli.md.
 *
 * <p>It is the run's {@link TicketJournal}: the engine records a build's ticket here before each
 * call that creates remote work and once its answer is known, and each such record is durable
 * when it returns (written beside, forced, renamed over, directory forced). Once a build has
 * recorded a ticket that way, only its own records replace it: the targets shown by
 * {@code status} are refreshed every half second, the ticket never from a snapshot that might be
 * older than the last record.
 */
final class StateJournal implements AutoCloseable, TicketJournal {
  static final String FORMAT = "image-builder-state/1";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final long REFRESH_MILLIS = 500;

  private final Path file;
  private Settings settings;
  private final Instant created;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, BuildHandle> live = new LinkedHashMap<>();
  private ScheduledExecutorService refresher;
  private String lastWritten;

  /**
   * One build as recorded.
   *
   * @param journaled whether the engine recorded this ticket itself (write-ahead); such a ticket
   *     is never replaced by a snapshot
   */
  record Entry(String buildId, String backend, String status, String ticket, JsonNode targets, String failure,
      boolean journaled) {
    /** The build as last recorded. */
    Outcome.BuildOutcome recorded() {
      List<TargetStatus> list = new ArrayList<>();
      if (targets != null) {
        targets.forEach(t -> list.add(Json.targetFrom(t)));
      }
      BuildStatus s;
      try {
        s = BuildStatus.valueOf(status);
      } catch (IllegalArgumentException e) {
        s = BuildStatus.RUNNING;
      }
      return new Outcome.BuildOutcome(buildId, backend, s, list, failure);
    }

    /** Ended for good; a build whose tracking failed (ERROR) or that was left running is resumed. */
    boolean isDone() {
      return status.equals(BuildStatus.SUCCEEDED.name()) || status.equals(BuildStatus.FAILED.name())
          || status.equals(BuildStatus.CANCELLED.name());
    }
  }

  private StateJournal(Path file, Settings settings, Instant created) {
    this.file = file;
    this.settings = settings;
    this.created = created;
  }

  /**
   * A new journal at {@code file}. An existing journal is replaced only when none of its builds
   * is still running, so that a second run cannot make the first one's builds unreachable.
   */
  static StateJournal create(Path file, Settings settings) {
    Path absolute = file.toAbsolutePath().normalize();
    if (Files.exists(absolute)) {
      StateJournal old = read(absolute);
      List<String> running = old.entries().stream().filter(e -> !e.isDone()).map(Entry::buildId).toList();
      if (!running.isEmpty()) {
        throw new UsageException("--state: '" + file + "' records builds still running (" 
            + String.join(", ", running) + "); resume them with '" + Cli.NAME + " resume --state "
            + file + "' or choose another file");
      }
    }
    Path parent = absolute.getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UsageException("--state: cannot create the directory of '" + file + "': " + e.getMessage());
    }
    if (parent != null && !Files.isWritable(parent)) {
      throw new UsageException("--state: cannot write in '" + parent + "'");
    }
    // Written once the first build is tracked: a request rejected before submission leaves no file.
    return new StateJournal(absolute, settings, Instant.now());
  }

  /** Reads a journal (for resume, cancel and status). */
  static StateJournal read(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(absolute));
    } catch (JsonProcessingException e) {
      throw new UsageException("--state: '" + file + "' is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UsageException("--state: cannot read '" + file + "'"
          + (Files.exists(absolute) ? " (" + e.getMessage() + ")" : " (no such file)"));
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new UsageException("--state: '" + file + "' is not an image-builder state file (format '"
          + (root == null ? "" : root.path("format").asText()) + "', expected " + FORMAT + ")");
    }
    JsonNode s = root.path("settings");
    Settings settings = new Settings(text(s, "launchpad"), text(s, "credentials"), text(s, "catalog"),
        text(s, "poll_interval"));
    Instant created = root.hasNonNull("created") ? Instant.parse(root.get("created").asText()) : Instant.now();
    StateJournal journal = new StateJournal(absolute, settings, created);
    for (JsonNode b : root.path("builds")) {
      String id = b.path("build_id").asText();
      JsonNode ticket = b.get("ticket");
      if (id.isEmpty() || ticket == null || !ticket.isObject()) {
        throw new UsageException("--state: '" + file + "' has a build without build_id or ticket");
      }
      journal.entries.put(id, new Entry(id, b.path("backend").asText(), b.path("status").asText("RUNNING"),
          ticket.toString(), b.path("targets"), text(b, "failure"), b.path("journaled").asBoolean(false)));
    }
    journal.lastWritten = null;
    return journal;
  }

  Path file() {
    return file;
  }

  Settings settings() {
    return settings;
  }

  /** Records the settings a resumed run used (the user may have overridden some). */
  synchronized void settings(Settings newSettings) {
    this.settings = newSettings;
  }

  synchronized List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /**
   * Stores a build's ticket durably (see the class comment); the engine calls it before each
   * remote call, possibly before {@link #track} has seen the build.
   *
   * @throws ImageBuildException when the state file cannot be written: the engine then makes no
   *     remote call
   */
  @Override
  public synchronized void record(String buildId, Ticket ticket) {
    Entry e = entries.get(buildId);
    entries.put(buildId, e == null
        ? new Entry(buildId, backendOf(ticket), BuildStatus.RUNNING.name(), ticket.json(), targetsOf(ticket), null, true)
        : new Entry(buildId, e.backend(), e.status(), ticket.json(), e.targets(), e.failure(), true));
    writeOrThrow();
  }

  /** Follows a build: recorded now (unless the engine already recorded it), and whenever it changes. */
  void track(BuildHandle handle) {
    // Read outside the lock: a ticket is the job's state, and a job records under its own lock.
    Snapshot snapshot = Snapshot.of(handle, null);
    synchronized (this) {
      live.put(handle.id(), handle);
      apply(snapshot);
      writeOrThrow();
      startRefresher();
    }
  }

  private void startRefresher() {
    if (refresher == null) {
      // A backend's ticket grows without events (a build request URL arrives, say): look again often.
      refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "image-builder-journal");
        t.setDaemon(true);
        return t;
      });
      refresher.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Records a build's end (or tracking failure) and writes. */
  void ended(BuildHandle handle, String failure) {
    Snapshot snapshot = Snapshot.of(handle, failure);
    synchronized (this) {
      if (!live.containsKey(handle.id())) {
        return; // no longer followed: closing the engine detaches builds that go on
      }
      apply(snapshot);
      writeOrThrow();
    }
  }

  /** Marks a recorded build, for cancel, with its targets as they stand now. */
  synchronized void mark(String buildId, String status, String failure, List<TargetStatus> targets) {
    Entry e = entries.get(buildId);
    if (e != null) {
      JsonNode recorded = targets == null ? e.targets() : targetsJson(targets);
      entries.put(buildId, new Entry(e.buildId(), e.backend(), status, e.ticket(), recorded, failure, e.journaled()));
      writeOrThrow();
    }
  }

  /** Writes the current state of every live build, when it changed; a failure is only logged. */
  void refresh() {
    List<BuildHandle> handles;
    synchronized (this) {
      handles = List.copyOf(live.values());
    }
    List<Snapshot> snapshots = new ArrayList<>();
    for (BuildHandle h : handles) {
      snapshots.add(Snapshot.of(h, null));
    }
    synchronized (this) {
      try {
        snapshots.forEach(this::apply);
        writeOrThrow();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(StateJournal.class).warn("state file {}: {}", file, e.getMessage());
      }
    }
  }

  /** A build as it stood when read, taken without holding the journal's lock. */
  private record Snapshot(String buildId, String backend, String status, Ticket ticket, JsonNode targets,
      String failure) {
    static Snapshot of(BuildHandle handle, String failure) {
      return new Snapshot(handle.id(), handle.backend(), handle.status().name(), handle.ticket(),
          targetsJson(handle.targets()), failure);
    }
  }

  /** Applies a snapshot; a ticket the engine recorded itself is kept. Caller holds the lock. */
  private void apply(Snapshot s) {
    Entry e = entries.get(s.buildId());
    boolean journaled = e != null && e.journaled();
    String failure = s.failure() != null ? s.failure() : e == null ? null : e.failure();
    entries.put(s.buildId(), new Entry(s.buildId(), s.backend(), s.status(),
        journaled ? e.ticket() : s.ticket().json(), s.targets(), failure, journaled));
  }

  private static ArrayNode targetsJson(List<TargetStatus> list) {
    ArrayNode targets = JSON.createArrayNode();
    for (TargetStatus t : list) {
      targets.add(Json.target(t));
    }
    return targets;
  }

  private static String backendOf(Ticket ticket) {
    try {
      return JSON.readTree(ticket.json()).path("backend").asText("");
    } catch (JsonProcessingException e) {
      return "";
    }
  }

  /** The targets a ticket names, as QUEUED rows until the build reports them. */
  private static ArrayNode targetsOf(Ticket ticket) {
    ArrayNode targets = JSON.createArrayNode();
    try {
      for (JsonNode key : JSON.readTree(ticket.json()).path("targets")) {
        targets.add(Json.target(TargetStatus.queued(key.asText(), Map.of())));
      }
    } catch (JsonProcessingException e) {
      // An unreadable ticket would have failed before it reached us; no rows then.
    }
    return targets;
  }

  /**
   * Replaces the state file durably.
   *
   * @throws ImageBuildException naming the file and the reason, with the old file left intact
   */
  private void writeOrThrow() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("created", created.toString());
    ObjectNode s = root.putObject("settings");
    s.put("launchpad", settings.launchpad());
    s.put("credentials", settings.credentials());
    s.put("catalog", settings.catalog());
    s.put("poll_interval", settings.pollInterval());
    ArrayNode builds = root.putArray("builds");
    for (Entry e : entries.values()) {
      ObjectNode b = builds.addObject();
      b.put("build_id", e.buildId());
      b.put("backend", e.backend());
      b.put("status", e.status());
      b.put("failure", e.failure());
      b.put("journaled", e.journaled());
      try {
        b.set("ticket", JSON.readTree(e.ticket()));
      } catch (JsonProcessingException ex) {
        throw new IllegalStateException("ticket of " + e.buildId() + " is not JSON", ex);
      }
      b.set("targets", e.targets() == null || e.targets().isMissingNode() ? JSON.createArrayNode() : e.targets());
    }
    String text;
    try {
      text = JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
    if (text.equals(lastWritten)) {
      return;
    }
    try {
      DurableFiles.replace(file, text.getBytes(StandardCharsets.UTF_8));
      lastWritten = text;
    } catch (IOException e) {
      throw new ImageBuildException("the state file '" + file + "' cannot be written: " + e, e);
    }
  }

  /** Stops following; writes a last time. */
  @Override
  public void close() {
    synchronized (this) {
      if (refresher != null) {
        refresher.shutdownNow();
      }
    }
    refresh();
    synchronized (this) {
      live.clear();
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static List<Ticket> ticketsOf(List<Entry> entries) {
    List<Ticket> out = new ArrayList<>();
    entries.forEach(e -> out.add(new Ticket(e.ticket())));
    return out;
  }
}
