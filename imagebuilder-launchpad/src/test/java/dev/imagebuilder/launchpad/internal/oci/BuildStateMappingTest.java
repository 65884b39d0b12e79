package dev.imagebuilder.launchpad.internal.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.TargetState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuildStateMappingTest {
  static ObjectNode build(String state, String upload) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("buildstate", state);
    n.put("registry_upload_status", upload);
    return n;
  }

  @ParameterizedTest(name = "{0} / {1} (push rules {2}) -> {3}")
  @CsvSource(delimiter = '|', value = {
      "Needs building|Unscheduled|true|QUEUED|",
      "Currently building|Unscheduled|true|BUILDING|",
      "Gathering build output|Unscheduled|true|BUILDING|",
      "Uploading build|Unscheduled|true|BUILDING|",
      "Successfully built|Pending|true|PUBLISHING|",
      "Successfully built|Uploaded|true|SUCCEEDED|true",
      "Successfully built|Unscheduled|false|SUCCEEDED|false",
      "Successfully built|Unscheduled|true|PUBLISHING|",
      "Successfully built|Failed to upload|true|FAILED_TO_PUBLISH|false",
      "Successfully built|Superseded|true|SUPERSEDED|false",
      "Build for superseded Source|Superseded|true|SUPERSEDED|false",
      "Failed to build|Unscheduled|true|FAILED_TO_BUILD|false",
      "Chroot problem|Unscheduled|true|FAILED_TO_BUILD|false",
      "Dependency wait|Unscheduled|true|FAILED_TO_BUILD|false",
      "Failed to upload|Unscheduled|true|FAILED_TO_BUILD|false",
      "Cancelling build|Unscheduled|true|CANCELLING|",
      "Cancelled build|Unscheduled|true|CANCELLED|false",
  })
  void mapsLaunchpadStates(String state, String upload, boolean pushRules, TargetState expected, Boolean published) {
    BuildStateMapping.Observed o = BuildStateMapping.map(build(state, upload), pushRules);
    assertThat(o.state()).isEqualTo(expected);
    assertThat(o.rawState()).isEqualTo(state + " / " + upload);
    assertThat(o.published()).isEqualTo(published);
  }

  @org.junit.jupiter.api.Test
  void failedUploadCarriesTheSummaryAndErrors() {
    ObjectNode b = build("Successfully built", "Failed to upload");
    b.put("registry_upload_error_summary", "Upload to registry.example failed");
    b.putArray("registry_upload_errors").addObject().put("code", "UNAUTHORIZED").put("message", "authentication required");
    assertThat(BuildStateMapping.map(b, true).errorSummary())
        .isEqualTo("Upload to registry.example failed (UNAUTHORIZED: authentication required)");
  }
}
