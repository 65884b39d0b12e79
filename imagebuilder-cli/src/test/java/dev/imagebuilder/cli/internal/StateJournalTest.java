package dev.imagebuilder.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.Ticket;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateJournalTest {
  @TempDir Path dir;

  /** A build as the journal sees it: an id, a status, a ticket. */
  private static BuildHandle build(String id) {
    return (BuildHandle) Proxy.newProxyInstance(BuildHandle.class.getClassLoader(),
        new Class<?>[] {BuildHandle.class}, (proxy, method, args) -> switch (method.getName()) {
          case "id" -> id;
          case "backend" -> "launchpad";
          case "status" -> BuildStatus.RUNNING;
          case "targets" -> List.of();
          case "ticket" -> new Ticket("{\"backend\": \"launchpad\", \"build_id\": \"" + id + "\"}");
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  /**
   * Ctrl-C right after submission, before the command waits, interrupts the thread while it
   * writes the journal: the write must still happen (an interruptible file channel would close
   * and leave the submitted builds unreachable), and the interrupt must survive for the wait.
   */
  @Test
  void aPendingInterruptDoesNotKeepTheJournalFromBeingWrittenAndIsKept() {
    Path file = dir.resolve("state.json");
    StateJournal journal = StateJournal.create(file, Settings.NONE);
    Thread.currentThread().interrupt();
    try {
      journal.track(build("b-1"));
      assertThat(Thread.currentThread().isInterrupted()).as("kept for the wait that follows").isTrue();
    } finally {
      Thread.interrupted();
      journal.close();
    }
    assertThat(StateJournal.read(file).entries()).extracting(StateJournal.Entry::buildId)
        .containsExactly("b-1");
  }
}
