package dev.imagebuilder.amqp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.core.internal.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where workers keep what they need to take over each other's requests: one JSON file per
 * request id in a directory every worker of a queue shares, holding each item's ticket.
 *
 * <p>Files are replaced atomically (written beside, then moved), so a reader sees the old or the
 * new document, never half of one. Only the worker holding the delivery writes a request's
 * entry (the broker gives a message to one consumer at a time); cancellation is a separate marker
 * file, so that other workers can set it without racing the owner's writes.
 */
public final class RequestJournal {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;

  public RequestJournal(Path directory) {
    this.directory = directory;
  }

  public Path directory() {
    return directory;
  }

  /** One item of a request: its ticket once submitted, and whether its end was published. */
  public record Item(Ticket ticket, boolean terminalPublished) {
    public static final Item NEW = new Item(null, false);

    public Item withTicket(Ticket newTicket) {
      return new Item(newTicket, terminalPublished);
    }

    public Item published() {
      return new Item(ticket, true);
    }
  }

  /**
   * What is known of a request.
   *
   * @param deliveries how many times a worker took it up
   * @param items one per item, empty until the request was read
   * @param finished when every item's end was published, or null
   * @param bodySha256 the sha256 of the message body the request id was first seen with, or null
   *     (entries of older versions): a request id names one request, and a different body under
   *     it is refused
   */
  public record Entry(String requestId, int deliveries, List<Item> items, Instant finished, String bodySha256) {
    public Entry {
      items = List.copyOf(items);
    }

    public Entry withItems(List<Item> newItems) {
      return new Entry(requestId, deliveries, newItems, finished, bodySha256);
    }

    public Entry withItem(int index, Item item) {
      List<Item> copy = new ArrayList<>(items);
      copy.set(index, item);
      return new Entry(requestId, deliveries, copy, finished, bodySha256);
    }

    public Entry delivered() {
      return new Entry(requestId, deliveries + 1, items, finished, bodySha256);
    }

    public Entry finishedAt(Instant time) {
      return new Entry(requestId, deliveries, items, time, bodySha256);
    }

    public Entry withBody(String sha256) {
      return new Entry(requestId, deliveries, items, finished, sha256);
    }

    /** True when a request was recorded under this id before (delivered, or with a body). */
    public boolean known() {
      return deliveries > 0 || finished != null || bodySha256 != null;
    }
  }

  /** The entry of {@code requestId}, or a fresh one. */
  public Entry read(String requestId) {
    Path file = entryFile(requestId);
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return new Entry(requestId, 0, List.of(), null, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the journal entry " + file, e);
    }
    List<Item> items = new ArrayList<>();
    for (JsonNode item : root.path("items")) {
      JsonNode ticket = item.path("ticket");
      items.add(new Item(ticket.isObject() ? new Ticket(ticket.toString()) : null,
          item.path("terminal_published").asBoolean(false)));
    }
    return new Entry(requestId, root.path("deliveries").asInt(0), items,
        root.path("finished").isTextual() ? Instant.parse(root.get("finished").asText()) : null,
        root.path("body_sha256").isTextual() ? root.get("body_sha256").asText() : null);
  }

  /** Replaces the entry atomically and durably (forced to the device, directory too) before returning. */
  public void write(Entry entry) {
    ObjectNode root = JSON.createObjectNode();
    root.put("request_id", entry.requestId());
    root.put("deliveries", entry.deliveries());
    ArrayNode items = root.putArray("items");
    for (Item item : entry.items()) {
      ObjectNode node = items.addObject();
      if (item.ticket() == null) {
        node.putNull("ticket");
      } else {
        try {
          node.set("ticket", JSON.readTree(item.ticket().json()));
        } catch (IOException e) {
          throw new IllegalArgumentException("a ticket is not JSON", e);
        }
      }
      node.put("terminal_published", item.terminalPublished());
    }
    root.put("finished", entry.finished() == null ? null : entry.finished().toString());
    root.put("body_sha256", entry.bodySha256());
    try {
      DurableFiles.replace(entryFile(entry.requestId()), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the journal entry of " + entry.requestId(), e);
    }
  }

  /** Records that the request was cancelled; whoever takes it up next honours it. */
  public void markCancelled(String requestId) {
    try {
      DurableFiles.replace(cancelFile(requestId), Instant.now().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the cancellation of " + requestId, e);
    }
  }

  public boolean isCancelled(String requestId) {
    return Files.exists(cancelFile(requestId));
  }

  /** Removes entries (and markers) of requests finished before {@code cutoff}; returns how many. */
  public int purgeFinishedBefore(Instant cutoff) {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String id = name.substring(0, name.length() - ".json".length());
        if (!Headers.isValidRequestId(id)) {
          continue;
        }
        Optional<Instant> finished = Optional.ofNullable(readQuietly(id)).map(Entry::finished);
        if (finished.isPresent() && finished.get().isBefore(cutoff)) {
          Files.deleteIfExists(file);
          Files.deleteIfExists(cancelFile(id));
          removed++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean the journal " + directory, e);
    }
    return removed;
  }

  private Entry readQuietly(String id) {
    try {
      return read(id);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Path entryFile(String requestId) {
    return directory.resolve(checked(requestId) + ".json");
  }

  private Path cancelFile(String requestId) {
    return directory.resolve(checked(requestId) + ".cancelled");
  }

  private static String checked(String requestId) {
    if (!Headers.isValidRequestId(requestId)) {
      throw new IllegalArgumentException("not a request id: '" + requestId + "'");
    }
    return requestId;
  }
}
