package dev.imagebuilder.testkit.internal.launchpad;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How a build's registry upload ends when its Pending phase is over: superseded or failed as
 * scripted, else pushed (through the pusher set by {@link #onUpload}) and Uploaded, or Failed to
 * upload with the pusher's error. Not thread-safe: called by the {@link BuildFarm} under the
 * {@link World} lock.
 */
final class RegistryUploads {
  private volatile Function<RegistryUpload, String> pusher;

  /** Pushes each upload before it shows Uploaded; returns an error text to make it fail, or null. */
  void onUpload(Function<RegistryUpload, String> pusher) {
    this.pusher = pusher;
  }

  /** Ends the Pending upload of {@code b} (nothing to do for an upload that is not Pending). */
  void finish(Build b, Outcome outcome) {
    if (!b.registryUploadStatus.equals(Build.UPLOAD_PENDING)) {
      return;
    }
    if (outcome.takeSupersession()) {
      b.registryUploadStatus = Build.UPLOAD_SUPERSEDED;
      b.buildstate = Build.SUPERSEDED;
    } else if (outcome.takeUploadFailure()) {
      String code;
      String message;
      synchronized (outcome) {
        code = outcome.uploadErrorCode;
        message = outcome.uploadErrorMessage;
      }
      fail(b, code, message);
    } else {
      String error = push(b);
      if (error == null) {
        b.registryUploadStatus = Build.UPLOAD_DONE;
      } else {
        fail(b, "UNKNOWN", error);
      }
    }
  }

  private static void fail(Build b, String code, String message) {
    b.registryUploadStatus = Build.UPLOAD_FAILED;
    b.registryUploadErrorSummary = "Upload of " + b.recipe.ociProject.name() + " for " + b.arch + " failed: " + message;
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    error.put("detail", null);
    b.registryUploadErrors = List.of(error);
  }

  /** The registry push of an upload, when a pusher is set: the build's image, and the list after the last build. */
  private String push(Build b) {
    Function<RegistryUpload, String> p = pusher;
    if (p == null) {
      return null;
    }
    boolean last = b.request != null && b.request.builds.stream()
        .allMatch(x -> x == b || x.registryUploadStatus.equals(Build.UPLOAD_DONE));
    List<String> arches = last ? b.request.builds.stream().map(x -> x.arch).toList() : List.of();
    List<String[]> rules = b.recipe.pushRules.stream().map(r -> new String[] {r.registryUrl(), r.imageName()}).toList();
    return p.apply(new RegistryUpload(b.recipe.path(), b.recipe.branch(), rules, b.arch, b.request == null ? 0 : b.request.id, arches));
  }
}
