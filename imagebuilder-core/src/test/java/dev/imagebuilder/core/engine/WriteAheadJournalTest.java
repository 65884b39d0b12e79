package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TicketJournal;
import dev.imagebuilder.core.DirectoryTicketJournal;
import dev.imagebuilder.core.ImageBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency in the engine (DESIGN 4.9): a backend's checkpoint is in every journal before
 * it returns, a journal that cannot store it fails the build before the remote call, an empty
 * fan-out is never a success, and a ticket recorded before any target was planned is not resumed.
 */
@Timeout(30)
class WriteAheadJournalTest {
  @TempDir Path state;

  private static TargetStatus image() {
    return TargetStatus.queued("image", Map.of());
  }

  private ImageBuilder builder(StartHookBackend backend, TicketJournal journal) {
    ImageBuilder.Builder b = ImageBuilder.newBuilder().discoverBackends(false).stateDirectory(state).backend(backend);
    if (journal != null) {
      b.journal(journal);
    }
    return b.build();
  }

  @Test
  void aBuildThatDeclaresNoTargetsEndsInAnErrorNotASuccess() {
    StartHookBackend nothing = new StartHookBackend(context -> context.declareTargets(List.of()));
    try (ImageBuilder builder = builder(nothing, null)) {
      BuildHandle h = builder.submit(StartHookBackend.request());

      assertThatThrownBy(h::await).isInstanceOf(ImageBuildException.class)
          .hasMessageContaining(h.id()).hasMessageContaining("has no targets");
      assertThat(h.status()).isEqualTo(BuildStatus.ERROR);
    }
  }

  @Test
  void aCheckpointIsInTheBuildersAndTheSubmittersJournalsBeforeItReturns() throws Exception {
    DirectoryTicketJournal files = new DirectoryTicketJournal(state.resolve("tickets"));
    List<String> submitters = new CopyOnWriteArrayList<>();
    List<String> seenByTheCall = new CopyOnWriteArrayList<>();
    StartHookBackend recording = new StartHookBackend(context -> {
      context.declareTargets(List.of(image()));
      context.checkpoint(Map.of("intent", "create the image"));
      // The "remote call" the checkpoint announced: the journals hold its intent by now.
      seenByTheCall.add(files.ticket(context.buildId()).orElseThrow().json());
      seenByTheCall.add(submitters.get(submitters.size() - 1));
    });
    try (ImageBuilder builder = builder(recording, files)) {
      BuildHandle h = builder.submit(StartHookBackend.request(), (id, ticket) -> submitters.add(ticket.json()));

      assertThat(seenByTheCall).hasSize(2).allSatisfy(json -> assertThat(json)
          .contains("\"intent\":\"create the image\"").contains("\"targets\":[\"image\"]")
          .contains("\"build_id\":\"" + h.id() + "\""));
      assertThat(files.tickets()).extracting(Ticket::json).containsExactly(seenByTheCall.get(0));
      try (Stream<Path> left = Files.list(state.resolve("tickets"))) {
        assertThat(left).as("no temporary file left behind").hasSize(1);
      }
    }
  }

  @Test
  void aJournalThatCannotStoreTheTicketFailsTheBuildAndTheCallIsNotMade() {
    AtomicBoolean called = new AtomicBoolean();
    StartHookBackend careful = new StartHookBackend(context -> {
      context.declareTargets(List.of(image()));
      try {
        context.checkpoint(Map.of("intent", "create the image"));
        called.set(true);
      } catch (ImageBuildException e) {
        // The contract: no remote call without its intent on disk.
      }
    });
    try (ImageBuilder builder = builder(careful, null)) {
      BuildHandle h = builder.submit(StartHookBackend.request(), (id, ticket) -> {
        throw new IllegalStateException("No space left on device");
      });

      assertThatThrownBy(() -> h.await(Duration.ofSeconds(10))).isInstanceOf(ImageBuildException.class)
          .hasMessageContaining("could not be recorded").hasMessageContaining("No space left on device");
      assertThat(called).isFalse();
      assertThat(h.status()).isEqualTo(BuildStatus.ERROR);
    }
  }

  @Test
  void aTicketRecordedBeforeAnyTargetWasPlannedIsNotResumedAndSaysWhy() {
    DirectoryTicketJournal files = new DirectoryTicketJournal(state.resolve("tickets"));
    StartHookBackend early = new StartHookBackend(context -> context.checkpoint(Map.of("phase", "resolving")));
    try (ImageBuilder builder = builder(early, files)) {
      BuildHandle h = builder.submit(StartHookBackend.request());
      Ticket recorded = files.ticket(h.id()).orElseThrow();

      assertThatThrownBy(() -> builder.resume(recorded)).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("ticket.targets").hasMessageContaining(h.id())
          .hasMessageContaining("nothing was requested under it");
    }
  }

  @Test
  void directoryJournalRefusesNamesThatAreNotBuildIdsAndForgets() throws IOException {
    DirectoryTicketJournal files = new DirectoryTicketJournal(state.resolve("t"));
    Ticket ticket = Ticket.parse("{\"format\":\"imagebuilder-ticket/1\"}");

    assertThatThrownBy(() -> files.record("../escape", ticket)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("../escape");
    files.record("b-1", ticket);
    files.record("b-1", ticket);
    assertThat(files.tickets()).hasSize(1);
    files.remove("b-1");
    assertThat(files.tickets()).isEmpty();
    assertThat(files.ticket("b-1")).isEmpty();
  }

  @Test
  void aJournalInADirectoryThatCannotBeWrittenIsAnErrorNamingTheFile() throws IOException {
    Path blocker = Files.writeString(state.resolve("not-a-directory"), "x");
    DirectoryTicketJournal files = new DirectoryTicketJournal(blocker);

    assertThatThrownBy(() -> files.record("b-2", Ticket.parse("{}"))).isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("b-2").hasMessageContaining(blocker.toString());
  }

  @Test
  void retryByNameTakesUnconfirmedTargetsWhichRetryLeavesAlone() {
    FakeFarm farm = new FakeFarm();
    farm.outcome("redis/22.04/amd64", TargetState.UNCONFIRMED);
    farm.finishAll();
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04", "24.04")
        .architectures(dev.imagebuilder.api.Architecture.AMD64).build();
    try (ImageBuilder b = ImageBuilder.newBuilder().discoverBackends(false).stateDirectory(state)
        .backend(farm.provider("farm", Set.of(OciImageRequest.class))).build()) {
      BuildHandle h = b.submit(request);
      BuildResult r = h.await(Duration.ofSeconds(10));
      assertThat(r.succeeded()).isFalse();

      assertThatThrownBy(h::retry).isInstanceOf(IllegalStateException.class).hasMessageContaining("unconfirmed");
      assertThatThrownBy(() -> h.retry(Set.of("redis/22.04/s390x"))).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("'redis/22.04/s390x' is not a target");
      assertThatThrownBy(() -> h.retry(Set.of("redis/24.04/amd64"))).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("succeeded");

      farm.outcomes.clear();
      BuildHandle again = h.retry(Set.of("redis/22.04/amd64"));
      assertThat(again.await(Duration.ofSeconds(10)).succeeded()).isTrue();
      assertThat(farm.retries).hasValue(1);
    }
  }
}
