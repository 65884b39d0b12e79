package dev.imagebuilder.core;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;
import dev.imagebuilder.core.internal.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link TicketJournal} that keeps each build's ticket in its own file, {@code <build id>.json},
 * in one directory, replaced durably on every record (written beside, forced, renamed, and the
 * directory forced). After a crash, {@link #tickets()} lists what to {@code resume}.
 *
 * <pre>{@code
 * var journal = new DirectoryTicketJournal(Path.of("/var/lib/my-tool/tickets"));
 * try (ImageBuilder builder = ImageBuilder.newBuilder().journal(journal).build()) {
 *   for (Ticket t : journal.tickets()) {
 *     builder.resume(t);                       // what a killed process left
 *   }
 * }
 * }</pre>
 */
public final class DirectoryTicketJournal implements TicketJournal {
  private static final Pattern BUILD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final Path directory;

  public DirectoryTicketJournal(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
  }

  public Path directory() {
    return directory;
  }

  @Override
  public void record(String buildId, Ticket ticket) {
    Path file = file(buildId);
    try {
      DurableFiles.replace(file, ticket.json().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ImageBuildException("cannot record the ticket of build " + buildId + " in " + file + ": " + e, e);
    }
  }

  /** The ticket of {@code buildId}, if one was recorded. */
  public Optional<Ticket> ticket(String buildId) {
    try {
      return Optional.of(new Ticket(Files.readString(file(buildId))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ticket of build " + buildId, e);
    }
  }

  /** Every recorded ticket, in no particular order. */
  public List<Ticket> tickets() {
    List<Ticket> out = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
      for (Path f : files) {
        if (!f.getFileName().toString().startsWith(".")) {
          out.add(new Ticket(Files.readString(f)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the tickets in " + directory, e);
    }
    return out;
  }

  /** Forgets a build (once its end was handled); durable like a record. */
  public void remove(String buildId) {
    try {
      if (Files.deleteIfExists(file(buildId))) {
        DurableFiles.forceDirectory(directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the ticket of build " + buildId, e);
    }
  }

  private Path file(String buildId) {
    if (buildId == null || !BUILD_ID.matcher(buildId).matches()) {
      throw new IllegalArgumentException("not a build id: '" + buildId + "'");
    }
    return directory.resolve(buildId + ".json");
  }

  @Override
  public String toString() {
    return "DirectoryTicketJournal[" + directory + "]";
  }
}
