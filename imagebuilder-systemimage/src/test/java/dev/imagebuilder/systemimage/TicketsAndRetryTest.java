package dev.imagebuilder.systemimage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.systemimage.support.TouchFixture;
import dev.imagebuilder.testkit.FakeSystemImageServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketsAndRetryTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  @TempDir Path work;

  @Test
  void retryRebuildsOnlyTheFailedDeviceAndResumeSubmitsNothing() throws Exception {
    Map<String, String> config = TouchFixture.config(work, work.resolve("www"));
    List<BuildEvent> events = Collections.synchronizedList(new ArrayList<>());
    try (FakeSystemImageServer remote = FakeSystemImageServer.builder().devices("FP4", "bacon").build().start()) {
      TouchImageRequest request = ImageRequest.touch().systemImageServer(remote.baseUri())
          .channel(remote.channel()).series("focal").packages("hello").targetChannel("t").build();
      BuildResult first;
      BuildHandle handle;
      BuildHandle retriedHandle;
      try (ImageBuilder b = TouchFixture.builder(work, config, events::add)) {
        remote.fail("device", FakeSystemImageServer.Fault.NOT_FOUND);
        handle = b.submit(request);
        first = handle.await(WAIT);
        assertThat(first.targets()).extracting(TargetStatus::state)
            .containsOnly(TargetState.FAILED_TO_BUILD);

        remote.clearFaults();
        retriedHandle = handle.retry();
        BuildResult retried = retriedHandle.await(WAIT);
        assertThat(retried.succeeded()).as("%s", retried.targets()).isTrue();
        assertThat(retried.targets()).allSatisfy(t -> {
          assertThat(t.attempt()).isEqualTo(2);
          assertThat(t.outputs()).containsEntry("version", "1");
        });
      }
      // A fresh process resumes the first build from its ticket: it reports, it never rebuilds.
      int requestsBefore = remote.requestCount("/channels.json");
      try (ImageBuilder again = TouchFixture.builder(work, config)) {
        BuildResult resumed = again.resume(handle.ticket()).await(WAIT);
        assertThat(resumed.targets()).extracting(TargetStatus::state)
            .containsOnly(TargetState.FAILED_TO_BUILD);
        BuildResult published = again.resume(retriedHandle.ticket()).await(WAIT);
        assertThat(published.targets()).allSatisfy(t -> {
          assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
          assertThat(t.outputs()).containsEntry("version", "1").containsEntry("channel", "t");
        });
      }
      assertThat(remote.requestCount("/channels.json")).isEqualTo(requestsBefore);
      String secret = config.get("systemimage.signing-key-passphrase");
      assertThat(handle.ticket().toString()).doesNotContain(secret);
      assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain(secret));
    }
  }

  @Test
  void aPublicationRecordedBeforeItBeganIsFoundInTheTreeOnResumeAndNeverPublishedTwice() throws Exception {
    Map<String, String> config = TouchFixture.config(work, work.resolve("www"));
    try (FakeSystemImageServer remote = FakeSystemImageServer.builder().devices("FP4").build().start()) {
      TouchImageRequest request = ImageRequest.touch().systemImageServer(remote.baseUri())
          .channel(remote.channel()).series("focal").packages("hello").targetChannel("t").build();
      List<Ticket> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (ImageBuilder b = TouchFixture.builder(work, config)) {
        BuildResult r = b.submit(request, (id, ticket) -> recorded.add(ticket)).await(WAIT);
        assertThat(r.succeeded()).isTrue();
      }
      // What a process killed between "publishing" and its answer leaves: the intent, not the version.
      Ticket intent = recorded.stream().filter(t -> t.json().contains("\"publishing\"")
          && !t.json().contains("\"SUCCEEDED\"")).findFirst().orElseThrow();
      try (ImageBuilder again = TouchFixture.builder(work, config)) {
        BuildResult resumed = again.resume(intent).await(WAIT);
        assertThat(resumed.targets()).singleElement().satisfies(t -> {
          assertThat(t.state()).isEqualTo(TargetState.SUCCEEDED);
          assertThat(t.rawState()).isEqualTo("published (found in the tree)");
          assertThat(t.outputs()).containsEntry("version", "1");
        });
        // An intent whose image is not in the tree was not published: built again, not claimed.
        Ticket other = new Ticket(intent.json().replaceFirst("\"publishing\":\"", "\"publishing\":\"not-this,"));
        assertThat(again.resume(other).await(WAIT).targets()).singleElement()
            .satisfies(t -> assertThat(t.state()).isEqualTo(TargetState.FAILED_TO_BUILD));
      }
    }
  }
}
