package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildResult;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.Ticket;
import dev.imagebuilder.core.ImageBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TicketResumeTest {
  @TempDir Path state;

  @Test
  void aBuildResumedFromItsTicketInANewBuilderSubmitsNothingAgain() {
    FakeFarm farm = new FakeFarm();
    OciImageRequest request = ImageRequest.oci().images("redis").series("22.04")
        .architectures(Architecture.AMD64, Architecture.S390X).autoRetryUploads(2).trigger("q1").build();
    Ticket ticket;
    String id;
    try (ImageBuilder first = builder(farm)) {
      BuildHandle h = first.submit(request);
      id = h.id();
      ticket = h.ticket();
    } // the process "dies": tracking stops, the remote builds go on

    assertThat(ticket.json()).contains("\"backend\":\"farm\"", id, "redis/22.04/s390x");
    try (ImageBuilder second = builder(farm)) {
      BuildHandle resumed = second.resume(Ticket.parse(ticket.json()));
      farm.finishAll();
      BuildResult r = resumed.await(Duration.ofSeconds(10));

      assertThat(resumed.id()).isEqualTo(id);
      assertThat(resumed.request()).isEqualTo(request);
      assertThat(r.targets()).hasSize(2);
      assertThat(r.succeeded()).isTrue();
    }
    assertThat(farm.submissions).hasValue(1);
    assertThat(farm.resumes).hasValue(1);
  }

  @Test
  void closingTheBuilderStopsTrackingWithoutCancellingRemoteWork() {
    FakeFarm farm = new FakeFarm();
    ImageBuilder b = builder(farm);
    BuildHandle h = b.submit(ImageRequest.oci().images("redis").series("22.04")
        .architectures(Architecture.AMD64).build());

    b.close();

    assertThatThrownBy(() -> h.await(Duration.ofSeconds(5)))
        .hasMessageContaining("was closed").hasMessageContaining("resume them from the ticket");
    assertThat(farm.remoteCancels).hasValue(0);
    assertThat(farm.remoteState.values()).doesNotContain("cancelled");
    assertThatThrownBy(() -> b.submit(ImageRequest.oci().images("redis").build()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void aTicketForAnUnknownBackendOrInABadFormatIsRejectedClearly() {
    FakeFarm farm = new FakeFarm();
    try (ImageBuilder b = builder(farm)) {
      String json = b.submit(ImageRequest.oci().images("redis").build()).ticket().json();
      assertThatThrownBy(() -> b.resume(Ticket.parse(json.replace("\"farm\"", "\"elsewhere\""))))
          .isInstanceOf(NoBackendAvailableException.class).hasMessageContaining("'elsewhere'");
      assertThatThrownBy(() -> b.resume(Ticket.parse("{\"format\":\"other/9\"}")))
          .isInstanceOf(InvalidRequestException.class).hasMessageContaining("ticket.format");
      assertThatThrownBy(() -> Ticket.parse("not json"))
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  private ImageBuilder builder(FakeFarm farm) {
    return ImageBuilder.newBuilder().discoverBackends(false).stateDirectory(state)
        .backend(farm.provider("farm", Set.of(OciImageRequest.class))).build();
  }
}
