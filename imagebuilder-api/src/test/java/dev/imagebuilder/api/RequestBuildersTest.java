package dev.imagebuilder.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestBuildersTest {

  @Test
  void ociRequestWithEveryField() {
    OciImageRequest r = ImageRequest.oci().images("redis", "postgres", "redis").series("jammy", "24.04")
        .architectures(Architecture.AMD64, Architecture.ARM64).autoRetryUploads(3).trigger("q3").build();
    assertThat(r.images()).containsExactly("redis", "postgres");
    assertThat(r.series()).containsExactly(Series.of("22.04"), Series.of("noble"));
    assertThat(r.architectures()).containsExactly(Architecture.AMD64, Architecture.ARM64);
    assertThat(r.autoRetryUploads()).isEqualTo(3);
    assertThat(r.imageType()).isEqualTo("oci");
    assertThat(r.toBuilder().build()).isEqualTo(r);
  }

  @Test
  void anEmptyOciRequestMeansEverything() {
    OciImageRequest r = ImageRequest.oci().build();
    assertThat(r.images()).isEmpty();
    assertThat(r.series()).isEmpty();
    assertThat(r.architectures()).isEmpty();
    assertThat(r.trigger()).isNull();
  }

  @Test
  void ociRejectionsNameTheFieldAndValue() {
    assertThatThrownBy(() -> ImageRequest.oci().series("22.04", "nope!").build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("series[1]: 'nope!' is not a series");
    assertThatThrownBy(() -> ImageRequest.oci().images("ok", "bad image").build())
        .hasMessageStartingWith("images[1]: 'bad image' is not an image name");
    assertThatThrownBy(() -> ImageRequest.oci().autoRetryUploads(-1).build())
        .hasMessageStartingWith("autoRetryUploads: '-1' is out of range");
    assertThatThrownBy(() -> ImageRequest.oci().trigger("").build())
        .hasMessageStartingWith("trigger: '' is not a queue name");
  }

  @Test
  void cloudRequest() {
    CloudImageRequest r = ImageRequest.cloud()
        .image("https://cloud-images.ubuntu.com/jammy/current/jammy-server-cloudimg-amd64.img")
        .series("22.04").ppas("ppa:owner/name").packages("hello", "jq=1.6-2.1").trigger("p").build();
    assertThat(r.series().codename()).hasValue("jammy");
    assertThat(r.ppas()).containsExactly(Ppa.of("owner/name"));
    assertThat(r.packages()).extracting(PackageSpec::toString).containsExactly("hello", "jq=1.6-2.1");
    assertThat(r.toBuilder().build()).isEqualTo(r);
  }

  @Test
  void repeatedElementsNeverFanOutTwiceEvenThroughTheRecordConstructors() {
    OciImageRequest r = new OciImageRequest(List.of("redis"), List.of(Series.of("22.04"), Series.of("jammy")),
        List.of(Architecture.AMD64, Architecture.AMD64), 0, null);
    assertThat(r.series()).containsExactly(Series.of("22.04"));
    assertThat(r.architectures()).containsExactly(Architecture.AMD64);
  }

  @Test
  void cloudRejections() {
    assertThatThrownBy(() -> ImageRequest.cloud().series("jammy").build())
        .hasMessageStartingWith("image: is required");
    assertThatThrownBy(() -> ImageRequest.cloud().image("ftp://x/y.img"))
        .hasMessageStartingWith("image: 'ftp://x/y.img' is not an absolute https or http or file URL");
    assertThatThrownBy(() -> ImageRequest.cloud().image("https://user:pw@host/x.img"))
        .hasMessage("image: 'https://***@host/x.img' carries user information;"
            + " URLs must not hold credentials");
    // Regression: scheme and syntax errors quoted the whole URL, password included.
    assertThatThrownBy(() -> ImageRequest.cloud().image("ftp://u:secret@host/x"))
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> ImageRequest.cloud().image("https://u:secret@host/a b"))
        .hasMessageContaining("is not a URL").hasMessageNotContaining("secret");
    assertThatThrownBy(() -> ImageRequest.cloud().image("https://h/x.img").build())
        .hasMessageStartingWith("series: is required");
    assertThatThrownBy(() -> ImageRequest.cloud().image("https://h/x.img").series("jammy")
        .ppas("ppa:fine/one", "not a ppa").build())
        .hasMessageStartingWith("ppas[1]: 'not a ppa' is not a PPA");
    assertThatThrownBy(() -> ImageRequest.cloud().packages("ok", "Bad"))
        .hasMessageStartingWith("packages[1]: 'Bad' is not a Debian package name");
  }

  @Test
  void touchRequest() {
    TouchImageRequest r = ImageRequest.touch().systemImageServer("https://system-image.example.org")
        .channel("20.04/arm64/android9plus/stable").devices("FP4").series("focal")
        .packages("foo").targetChannel("20.04/arm64/android9plus/custom").build();
    assertThat(r.systemImageServer()).isEqualTo(URI.create("https://system-image.example.org"));
    assertThat(r.devices()).containsExactly("FP4");
    assertThat(r.targetChannel()).isEqualTo("20.04/arm64/android9plus/custom");
    assertThat(r.toBuilder().build()).isEqualTo(r);
  }

  @Test
  void aNullElementGivenToABuilderIsABadValueNamingItsIndex() {
    assertThatThrownBy(() -> ImageRequest.oci().images("redis", null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("images[1]");
    assertThatThrownBy(() -> ImageRequest.touch().devices("FP4", null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("devices[1]");
    assertThatThrownBy(() -> ImageRequest.touch().devices("../etc"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("devices[0]").hasMessageContaining("../etc");
  }

  @Test
  void touchChannelsCannotClimbOutOfATree() {
    for (String bad : List.of("../etc", "a/../b", "/abs", "a//b", ".hidden", "a/", "a b")) {
      assertThatThrownBy(() -> ImageRequest.touch().systemImageServer("https://s.example.org")
          .channel(bad).series("focal").build())
          .as(bad).hasMessageStartingWith("channel: '" + bad + "' is not a channel name");
    }
    assertThatThrownBy(() -> ImageRequest.touch().systemImageServer("https://s.example.org")
        .channel("stable").devices("../x").series("focal").build())
        .hasMessageStartingWith("devices[0]: '../x' is not a device name");
  }

  @Test
  void resultsAndStates() {
    TargetStatus ok = TargetStatus.queued("a", java.util.Map.of()).withState(TargetState.SUCCEEDED, "Uploaded");
    TargetStatus bad = TargetStatus.queued("b", java.util.Map.of())
        .withState(TargetState.FAILED_TO_PUBLISH, "Failed to upload").withError("registry said no");
    BuildResult r = new BuildResult("b-1", "launchpad", List.of(ok, bad), java.time.Instant.EPOCH);
    assertThat(r.succeeded()).isFalse();
    assertThat(r.status()).isEqualTo(BuildStatus.FAILED);
    assertThat(r.failedTargets()).containsExactly(bad);
    assertThatThrownBy(r::orThrow).isInstanceOf(BuildFailedException.class)
        .hasMessage("build b-1: 1 of 2 targets failed: b FAILED_TO_PUBLISH (registry said no)");
    assertThat(TargetState.SUPERSEDED.isTerminal()).isTrue();
    assertThat(TargetState.SUPERSEDED.isFailure()).isFalse();
    assertThat(TargetState.PUBLISHING.isTerminal()).isFalse();
  }
}
