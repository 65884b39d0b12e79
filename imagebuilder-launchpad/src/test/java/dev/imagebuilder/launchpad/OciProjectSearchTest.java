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

  @Test
  void aNextPageOnAnotherOriginGetsNoCredentials() throws Exception {
    // Regression: the search followed next_collection_link with the OAuth header wherever it pointed.
    try (mockwebserver3.MockWebServer elsewhere = new mockwebserver3.MockWebServer();
         mockwebserver3.MockWebServer root = new mockwebserver3.MockWebServer()) {
      elsewhere.start();
      root.start();
      root.enqueue(new mockwebserver3.MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
          .body("{\"total_size\": 2, \"start\": 0, \"entries\": [{\"name\": \"redis\"}],"
              + " \"next_collection_link\": \"" + elsewhere.url("/devel/ubuntu?ws.op=searchOCIProjects&ws.start=1") + "\"}")
          .build());
      java.nio.file.Path credentials = launchpad.writeCredentials(java.nio.file.Files.createTempFile("lp", ".credentials"));
      OciProjectSearch search = new OciProjectSearch(root.url("/devel/").toString(), credentials);

      assertThatThrownBy(() -> search.search("ubuntu", ""))
          .isInstanceOf(dev.imagebuilder.api.ImageBuildException.class).hasMessageContaining("refusing to send");
      assertThat(root.getRequestCount()).isEqualTo(1);
      assertThat(elsewhere.getRequestCount()).isZero();
    }
  }
}
