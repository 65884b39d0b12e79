package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.TargetStatus;

/**
 * How a target is shown: what it is (image, series, arch; or the device or key for other image
 * types) and its build and upload states. Launchpad's raw state is {@code "<buildstate> /
 * <registry_upload_status>"}; other backends give one state, shown as the build state.
 */
record TargetView(String image, String series, String arch, String buildState, String uploadState, String link) {

  static TargetView of(TargetStatus t) {
    String image = first(t.label("image"), t.label("device"), t.label("channel"), t.key());
    String series = first(t.label("series"), "");
    String arch = first(t.label("arch"), t.label("architecture"), "");
    String raw = t.rawState();
    String build;
    String upload;
    int slash = raw == null ? -1 : raw.indexOf(" / ");
    if (slash >= 0) {
      build = raw.substring(0, slash).strip();
      upload = raw.substring(slash + 3).strip();
    } else {
      build = raw == null ? "" : raw;
      upload = "";
    }
    String link = t.webLink() == null ? "" : t.webLink().toString();
    return new TargetView(image, series, arch, build, upload, link);
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null) {
        return v;
      }
    }
    return "";
  }
}
