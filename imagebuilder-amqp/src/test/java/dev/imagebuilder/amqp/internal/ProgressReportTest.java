package dev.imagebuilder.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressReportTest {
  private static final TargetStatus DONE = new TargetStatus("FP4", Map.of("device", "FP4"),
      TargetState.SUCCEEDED, "published", URI.create("https://si.example.org/"), null, null,
      Map.of("channel", "custom/stable", "version", "12"), 2);
  private static final TargetStatus BROKEN = new TargetStatus("FP5", Map.of("device", "FP5"),
      TargetState.FAILED_TO_BUILD, "apt failed", null, URI.create("file:///var/log/fp5.log"),
      "E: Unable to locate package foo", Map.of(), 1);

  private static ProgressReport report(String state, BuildStatus status, Instant finished) {
    return new ProgressReport("req-1", 1, 2, "touch", "b-1", "systemimage", state, status,
        "1 of 2 built", List.of(DONE, BROKEN), finished, "host/42",
        Instant.parse("2026-11-22T02:00:00Z"));
  }

  @Test
  void roundTripsEveryField() {
    ProgressReport original = report("failed", BuildStatus.FAILED, Instant.parse("2026-11-22T02:01:00Z"));
    assertThat(ProgressReport.fromJson(original.toJson())).isEqualTo(original);
  }

  @Test
  void writesTheDocumentedSchema() throws Exception {
    JsonNode json = new ObjectMapper().readTree(
        report("failed", BuildStatus.FAILED, Instant.parse("2026-11-22T02:01:00Z")).toJson());
    assertThat(json.get("schema").asText()).isEqualTo("imagebuilder.progress/1");
    assertThat(json.get("state").asText()).isEqualTo("failed");
    assertThat(json.get("status").asText()).isEqualTo("FAILED");
    assertThat(json.get("targets").get(1).get("error").asText()).isEqualTo("E: Unable to locate package foo");
    assertThat(json.get("targets").get(0).get("outputs").get("version").asText()).isEqualTo("12");
    assertThat(json.get("result").get("succeeded").asBoolean()).isFalse();
    assertThat(json.get("result").get("failed_targets").get(0).asText()).isEqualTo("FP5");
  }

  @Test
  void writesTheSameBytesAsBefore() {
    // Queue readers in the field parse these messages: the target objects keep their form.
    String expected = "{\"schema\":\"imagebuilder.progress/1\",\"request_id\":\"req-1\",\"item\":1,"
        + "\"items\":2,\"image_type\":\"touch\",\"build_id\":\"b-1\",\"backend\":\"systemimage\","
        + "\"state\":\"failed\",\"status\":\"FAILED\",\"message\":\"1 of 2 built\",\"targets\":["
        + "{\"key\":\"FP4\",\"labels\":{\"device\":\"FP4\"},\"state\":\"SUCCEEDED\","
        + "\"raw_state\":\"published\",\"web_link\":\"https://si.example.org/\",\"log_url\":null,"
        + "\"error\":null,\"outputs\":{\"channel\":\"custom/stable\",\"version\":\"12\"},\"attempt\":2},"
        + "{\"key\":\"FP5\",\"labels\":{\"device\":\"FP5\"},\"state\":\"FAILED_TO_BUILD\","
        + "\"raw_state\":\"apt failed\",\"web_link\":null,\"log_url\":\"file:///var/log/fp5.log\","
        + "\"error\":\"E: Unable to locate package foo\",\"outputs\":{},\"attempt\":1}],"
        + "\"result\":{\"succeeded\":false,\"finished\":\"2026-11-22T02:01:00Z\","
        + "\"failed_targets\":[\"FP5\"]},\"worker\":\"host/42\",\"time\":\"2026-11-22T02:00:00Z\"}";
    byte[] written = report("failed", BuildStatus.FAILED, Instant.parse("2026-11-22T02:01:00Z")).toJson();
    assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(ProgressReport.fromJson(expected.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(report("failed", BuildStatus.FAILED, Instant.parse("2026-11-22T02:01:00Z")));
  }

  @Test
  void aTargetWithoutAStateIsRefusedNamingTheField() {
    String message = "{\"request_id\":\"r\",\"state\":\"running\",\"status\":\"RUNNING\","
        + "\"targets\":[{\"key\":\"FP4\"}]}";
    assertThatThrownBy(() -> ProgressReport.fromJson(message.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target.state");
  }

  @Test
  void runningReportHasNoResult() throws Exception {
    JsonNode json = new ObjectMapper().readTree(report("running", BuildStatus.RUNNING, null).toJson());
    assertThat(json.get("result").isNull()).isTrue();
  }

  @Test
  void statesFollowTheBuildStatus() {
    assertThat(ProgressReport.stateOf(BuildStatus.RUNNING)).isEqualTo("running");
    assertThat(ProgressReport.stateOf(BuildStatus.SUCCEEDED)).isEqualTo("completed");
    assertThat(ProgressReport.stateOf(BuildStatus.FAILED)).isEqualTo("failed");
    assertThat(ProgressReport.stateOf(BuildStatus.CANCELLED)).isEqualTo("failed");
    assertThat(ProgressReport.stateOf(BuildStatus.ERROR)).isEqualTo("failed");
  }

  @Test
  void rejectsWhatIsNotAReport() {
    assertThatThrownBy(() -> ProgressReport.fromJson("nope".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> ProgressReport.fromJson("{\"state\": \"running\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a progress report");
  }

  @Test
  void controlMessagesRoundTripAndUnknownOnesAreRefused() {
    assertThat(ControlMessage.fromJson(ControlMessage.cancel("req-9").toJson()))
        .isEqualTo(ControlMessage.cancel("req-9"));
    assertThatThrownBy(() -> ControlMessage.fromJson(
        "{\"type\": \"reboot\", \"request_id\": \"r\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("reboot");
    assertThatThrownBy(() -> ControlMessage.fromJson(
        "{\"type\": \"cancel\", \"request_id\": \"../../etc\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not a control message");
  }
}
