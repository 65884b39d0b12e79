package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.TargetState;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps an {@code oci_recipe_build}'s {@code buildstate} and {@code registry_upload_status} to a
 * target state. "Built" is not "published": a build counts as succeeded once its registry upload
 * is {@code Uploaded}, or when the recipe has no push rules and the upload stays
 * {@code Unscheduled} (then {@code published=false}).
 */
public final class BuildStateMapping {
  private BuildStateMapping() {}

  /**
   * What one build says.
   *
   * @param published whether the image reached a registry ({@code null} while unknown)
   */
  public record Observed(TargetState state, String rawState, String errorSummary, Boolean published) {}

  public static Observed map(JsonNode build, boolean recipeHasPushRules) {
    String buildState = text(build, "buildstate");
    String upload = text(build, "registry_upload_status");
    String raw = (buildState == null ? "?" : buildState) + " / " + (upload == null ? "?" : upload);
    if (buildState == null) {
      return new Observed(TargetState.BUILDING, raw, null, null);
    }
    return switch (buildState) {
      case "Needs building" -> new Observed(TargetState.QUEUED, raw, null, null);
      case "Currently building", "Gathering build output", "Uploading build" ->
          new Observed(TargetState.BUILDING, raw, null, null);
      case "Successfully built" -> built(build, upload, raw, recipeHasPushRules);
      case "Failed to build", "Chroot problem", "Dependency wait" ->
          new Observed(TargetState.FAILED_TO_BUILD, raw, buildState, false);
      // buildstate "Failed to upload" is the build farm failing to hand the files to Launchpad,
      // not the registry upload: the image was never built into anything usable.
      case "Failed to upload" -> new Observed(TargetState.FAILED_TO_BUILD, raw,
          "Failed to upload the build's files to Launchpad", false);
      case "Cancelling build" -> new Observed(TargetState.CANCELLING, raw, null, null);
      case "Cancelled build" -> new Observed(TargetState.CANCELLED, raw, "Cancelled build", false);
      case "Build for superseded Source" -> new Observed(TargetState.SUPERSEDED, raw, null, false);
      default -> new Observed(TargetState.BUILDING, raw, null, null);
    };
  }

  private static Observed built(JsonNode build, String upload, String raw, boolean pushRules) {
    if (upload == null) {
      return new Observed(TargetState.PUBLISHING, raw, null, null);
    }
    return switch (upload) {
      case "Uploaded" -> new Observed(TargetState.SUCCEEDED, raw, null, true);
      case "Pending" -> new Observed(TargetState.PUBLISHING, raw, null, null);
      case "Failed to upload" -> new Observed(TargetState.FAILED_TO_PUBLISH, raw, uploadError(build), false);
      case "Superseded" -> new Observed(TargetState.SUPERSEDED, raw, null, false);
      case "Unscheduled" -> pushRules
          ? new Observed(TargetState.PUBLISHING, raw, null, null)
          : new Observed(TargetState.SUCCEEDED, raw, null, false);
      default -> new Observed(TargetState.PUBLISHING, raw, null, null);
    };
  }

  /** {@code registry_upload_error_summary}, then each {@code registry_upload_errors} code and message. */
  static String uploadError(JsonNode build) {
    String summary = text(build, "registry_upload_error_summary");
    List<String> details = new ArrayList<>();
    JsonNode errors = build.path("registry_upload_errors");
    if (errors.isArray()) {
      for (JsonNode e : errors) {
        String code = text(e, "code");
        String message = text(e, "message");
        if (code != null || message != null) {
          details.add((code == null ? "" : code + ": ") + (message == null ? "" : message));
        }
      }
    }
    String s = summary == null ? "Failed to upload to the registry" : summary;
    if (!details.isEmpty() && (summary == null || !summary.contains(details.get(0)))) {
      s += " (" + String.join("; ", details) + ")";
    }
    return s;
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() ? v.asText() : null;
  }
}
