package dev.imagebuilder.testkit.internal.launchpad;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /devel/<distribution>?ws.op=searchOCIProjects&text=...}: the distribution's OCI
 * projects whose name contains {@code text} (any case; all without it), as an
 * {@code oci_project-page} whose next link keeps the operation and its text, as Launchpad's do.
 * Launchpad exports the operation on distributions only: on a project it is "No such operation".
 * The fake's one distribution is {@code ubuntu}; OCI projects added under the pillar
 * {@code ubuntu} are its.
 */
final class OciProjectSearch {
  static final String OPERATION = "searchOCIProjects";
  private static final Set<String> DISTRIBUTIONS = Set.of("ubuntu");

  private OciProjectSearch() {}

  static boolean isDistribution(String pillar) {
    return DISTRIBUTIONS.contains(pillar);
  }

  static Map<String, Object> page(World world, Representations reps, String pillar, String text,
      int start, int size) {
    if (!DISTRIBUTIONS.contains(pillar)) {
      if (world.ociProjects().stream().anyMatch(p -> p.pillar().equals(pillar))) {
        throw ApiError.badRequest("No such operation: " + OPERATION);
      }
      throw ApiError.notFound("Object: <launchpad root>, name: '" + pillar + "'");
    }
    String needle = text == null ? "" : text.toLowerCase(Locale.ROOT);
    List<Map<String, Object>> all = world.ociProjects().stream()
        .filter(p -> p.pillar().equals(pillar) && p.name().toLowerCase(Locale.ROOT).contains(needle))
        .map(reps::ociProject)
        .toList();
    String query = "ws.op=" + OPERATION + "&"
        + (text == null ? "" : "text=" + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&");
    return reps.page("oci_project", pillar, query, all, start, size);
  }
}
