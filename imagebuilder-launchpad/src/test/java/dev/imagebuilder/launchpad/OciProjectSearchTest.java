package dev.imagebuilder.launchpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.testkit.FakeLaunchpad;
import dev.imagebuilder.testkit.RecordedCall;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** searchOCIProjects against the test kit's fake Launchpad, which answers it from the reference. */
class OciProjectSearchTest {
  @TempDir Path dir;
  FakeLaunchpad launchpad;

  @BeforeEach
  void start() {
    launchpad = FakeLaunchpad.start();
    launchpad.addProject("ubuntu"); // the pillar of the fake's distribution
  }

  @AfterEach
  void stop() {
    launchpad.close();
  }

  @Test
  void everyPageIsFollowedAndTheTextFilters() {
    for (int i = 0; i < 305; i++) {
      launchpad.addOciProject("ubuntu", String.format("image%03d", i));
    }
    launchpad.addOciProject("ubuntu", "redis");
    OciProjectSearch search = new OciProjectSearch(launchpad.serviceRoot().toString(), null);

    List<OciProjectSearch.OciProject> all = search.search("ubuntu", "");
    assertThat(all).hasSize(306);
    assertThat(all.get(0).name()).isEqualTo("image000");
    assertThat(all.get(0).selfLink().toString()).endsWith("/devel/ubuntu/+oci/image000");
    assertThat(launchpad.requests().stream().filter(c -> "searchOCIProjects".equals(c.wsOp()))).hasSize(2);

    assertThat(search.search("ubuntu", "RED")).extracting(OciProjectSearch.OciProject::name).containsExactly("redis");
    assertThat(launchpad.requests()).allMatch(RecordedCall::anonymous);
  }

  @Test
  void credentialsSignTheRequests() {
    launchpad.addOciProject("ubuntu", "nginx");
    Path credentials = launchpad.writeCredentials(dir.resolve("credentials"));

    assertThat(new OciProjectSearch(launchpad.serviceRoot().toString(), credentials).search("ubuntu", null))
        .extracting(OciProjectSearch.OciProject::name).containsExactly("nginx");
    assertThat(launchpad.requests()).noneMatch(RecordedCall::anonymous);
  }

  @Test
  void whatLaunchpadRefusesIsReported() {
    launchpad.addRecipe("someone", "a-project", "postgres", "postgres-22.04");
    OciProjectSearch search = new OciProjectSearch(launchpad.serviceRoot().toString(), null);

    // Exported on distributions only.
    assertThatThrownBy(() -> search.search("a-project", ""))
        .isInstanceOf(RemoteServiceException.class).hasMessageContaining("No such operation: searchOCIProjects");
    assertThatThrownBy(() -> search.search("no-such-distro", ""))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no distribution");
    assertThatThrownBy(() -> search.search("Bad Name", ""))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'Bad Name' is not a Launchpad name");
    assertThatThrownBy(() -> new OciProjectSearch("http://launchpad.example/devel/", null))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("plain http");
  }
}
