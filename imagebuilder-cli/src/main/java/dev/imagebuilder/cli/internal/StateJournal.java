package dev.imagebuilder.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The state file: every build of a run with its ticket and last known targets, rewritten
 * atomically (a temporary file moved over the old one) whenever something changes, so that a
 * process killed at any moment leaves a journal that {@code resume}, {@code cancel} and
 * {@code status} can read. Format {@code image-builder-state/1}, described in docs/cli.md.
 */
final class StateJournal implements AutoCloseable {
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

  /** One build as recorded. */
  record Entry(String buildId, String backend, String status, String ticket, JsonNode targets, String failure) {
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
          ticket.toString(), b.path("targets"), text(b, "failure")));
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

  /** Follows a build: recorded now, and again whenever it changes. */
  synchronized void track(BuildHandle handle) {
    live.put(handle.id(), handle);
    record(handle, null);
    write();
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
  synchronized void ended(BuildHandle handle, String failure) {
    if (!live.containsKey(handle.id())) {
      return; // no longer followed: closing the engine detaches builds that go on
    }
    record(handle, failure);
    write();
  }

  /** Marks a recorded build, for cancel. */
  synchronized void mark(String buildId, String status, String failure) {
    Entry e = entries.get(buildId);
    if (e != null) {
      entries.put(buildId, new Entry(e.buildId(), e.backend(), status, e.ticket(), e.targets(), failure));
      write();
    }
  }

  /** Writes the current state of every live build, when it changed. */
  synchronized void refresh() {
    try {
      live.values().forEach(h -> record(h, entries.containsKey(h.id()) ? entries.get(h.id()).failure() : null));
      write();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(StateJournal.class).warn("state file {}: {}", file, e.getMessage());
    }
  }

  private void record(BuildHandle handle, String failure) {
    Ticket ticket = handle.ticket();
    ArrayNode targets = JSON.createArrayNode();
    for (TargetStatus t : handle.targets()) {
      targets.add(Json.target(t));
    }
    entries.put(handle.id(), new Entry(handle.id(), handle.backend(), handle.status().name(),
        ticket.json(), targets, failure));
  }

  private void write() {
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
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp);
      }
      Files.writeString(tmp, text);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      lastWritten = text;
    } catch (IOException e) {
      throw new UsageException("--state: cannot write '" + file + "': " + e.getMessage(), e);
    }
  }

  /** Stops following; writes a last time. */
  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
    refresh();
    live.clear();
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
