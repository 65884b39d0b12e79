package dev.imagebuilder.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.Ticket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestJournalTest {
  @TempDir Path dir;

  @Test
  void unknownRequestReadsAsFresh() {
    RequestJournal.Entry e = new RequestJournal(dir.resolve("j")).read("req-1");
    assertThat(e.deliveries()).isZero();
    assertThat(e.items()).isEmpty();
    assertThat(e.finished()).isNull();
  }

  @Test
  void keepsTicketsDeliveriesAndEnds() throws Exception {
    RequestJournal journal = new RequestJournal(dir.resolve("j"));
    Ticket ticket = new Ticket("{\"backend\":\"farm\",\"state\":{\"remote_id\":\"x\"}}");
    RequestJournal.Entry entry = journal.read("req-1").delivered()
        .withItems(List.of(RequestJournal.Item.NEW.withTicket(ticket), RequestJournal.Item.NEW.published()));
    journal.write(entry);
    assertThat(journal.read("req-1")).isEqualTo(entry);

    Instant end = Instant.parse("2026-11-22T02:00:00Z");
    journal.write(entry.finishedAt(end));
    assertThat(journal.read("req-1").finished()).isEqualTo(end);
    try (var files = Files.list(dir.resolve("j"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("req-1.json");
    }
  }

  @Test
  void cancellationIsAMarkerOfItsOwn() {
    RequestJournal journal = new RequestJournal(dir);
    assertThat(journal.isCancelled("req-2")).isFalse();
    journal.markCancelled("req-2");
    assertThat(journal.isCancelled("req-2")).isTrue();
    assertThat(journal.read("req-2").items()).isEmpty();
  }

  @Test
  void purgesOnlyRequestsFinishedLongAgo() {
    RequestJournal journal = new RequestJournal(dir);
    Instant now = Instant.now();
    journal.write(journal.read("old").finishedAt(now.minus(Duration.ofDays(8))));
    journal.markCancelled("old");
    journal.write(journal.read("recent").finishedAt(now.minus(Duration.ofHours(1))));
    journal.write(journal.read("running").delivered());

    assertThat(journal.purgeFinishedBefore(now.minus(Duration.ofDays(7)))).isEqualTo(1);
    assertThat(Files.exists(dir.resolve("old.json"))).isFalse();
    assertThat(Files.exists(dir.resolve("old.cancelled"))).isFalse();
    assertThat(Files.exists(dir.resolve("recent.json"))).isTrue();
    assertThat(Files.exists(dir.resolve("running.json"))).isTrue();
  }

  @Test
  void refusesIdsThatCouldLeaveTheDirectory() {
    RequestJournal journal = new RequestJournal(dir);
    assertThatThrownBy(() -> journal.read("../escape")).hasMessageContaining("../escape");
    assertThatThrownBy(() -> journal.markCancelled("a/b")).hasMessageContaining("a/b");
  }
}
