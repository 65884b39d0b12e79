package dev.imagebuilder.testkit.internal.launchpad;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** JSON representations of the fake's entries, with every field of {@link Schema} present. */
final class Representations {
  private static final Set<String> WRITABLE = Set.of("name", "owner_link", "information_type",
      "git_ref_link", "description", "build_file", "build_args", "build_path", "build_daily", "image_name");

  private final Roots roots;
  private final World world;
  private final int batchSize;

  Representations(Roots roots, World world, int batchSize) {
    this.roots = roots;
    this.world = world;
    this.batchSize = batchSize;
  }

  /** The most entries a page holds, whatever {@code ws.size} asks. */
  int batchSize() {
    return batchSize;
  }

  Map<String, Object> serviceRoot() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("me_link", roots.api("people/+me"));
    m.put("processors_collection_link", roots.api("+processors"));
    m.put("resource_type_link", roots.type("service-root"));
    return m;
  }

  Map<String, Object> recipe(Recipe r) {
    String self = r.path();
    Map<String, Object> m = head(self, self, "oci_recipe");
    m.put("allow_internet", true);
    m.put("build_args", Map.of());
    m.put("build_daily", false);
    m.put("build_file", "Dockerfile");
    m.put("build_path", ".");
    m.put("date_created", LaunchpadTime.datetime(r.dateCreated));
    m.put("date_last_modified", LaunchpadTime.datetime(r.dateLastModified));
    m.put("description", r.description);
    m.put("git_ref_link", roots.api("~" + r.owner + "/" + r.ociProject.pillar() + "/+git/"
        + r.ociProject.name() + "/+ref/" + r.branch()));
    m.put("image_name", r.name);
    m.put("information_type", "Public");
    m.put("name", r.name);
    m.put("oci_project_link", roots.api(r.ociProject.path()));
    m.put("owner_link", roots.api("~" + r.owner));
    m.put("processors_collection_link", roots.api(self + "/processors"));
    m.put("push_rules_collection_link", roots.api(self + "/push_rules"));
    m.put("registrant_link", roots.api("~" + world.user()));
    m.put("webhooks_collection_link", roots.api(self + "/webhooks"));
    return withEtag(m);
  }

  Map<String, Object> buildRequest(BuildRequest q) {
    Map<String, Object> m = head(q.path(), q.path(), "oci_recipe_build_request");
    m.put("builds_collection_link", roots.api(q.path() + "/builds"));
    m.put("date_finished", LaunchpadTime.datetime(q.dateFinished));
    m.put("date_requested", LaunchpadTime.datetime(q.dateRequested));
    m.put("error_message", q.errorMessage);
    m.put("recipe_link", roots.api(q.recipe.path()));
    m.put("status", q.status);
    return withEtag(m);
  }

  Map<String, Object> build(Build b) {
    Map<String, Object> m = head(b.path(), b.path(), "oci_recipe_build");
    String series = "noble";
    m.put("arch_tag", b.arch);
    m.put("archive_link", roots.api("ubuntu/+archive/primary"));
    m.put("build_log_url", b.buildLogUrlPath == null ? null : roots.web(b.buildLogUrlPath));
    m.put("builder_link", b.dateStarted == null ? null : roots.api("builders/fake-" + b.arch + "-001"));
    m.put("buildstate", b.buildstate);
    m.put("can_be_cancelled", b.canBeCancelled());
    m.put("can_be_rescored", b.buildstate.equals(Build.NEEDS_BUILDING));
    m.put("can_be_retried", b.canBeRetried());
    Instant eta = b.eta(world.clock().now());
    // Launchpad's date: the estimated end while there is an estimate, else the end.
    m.put("date", LaunchpadTime.datetime(eta != null ? eta : b.dateBuilt));
    m.put("date_first_dispatched", LaunchpadTime.datetime(b.dateFirstDispatched));
    m.put("date_started", LaunchpadTime.datetime(b.dateStarted));
    m.put("datebuilt", LaunchpadTime.datetime(b.dateBuilt));
    m.put("datecreated", LaunchpadTime.datetime(b.dateCreated));
    m.put("dependencies", b.dependencies);
    m.put("distribution_link", roots.api("ubuntu"));
    m.put("distro_arch_series_link", roots.api("ubuntu/" + series + "/" + b.arch));
    m.put("distro_series_link", roots.api("ubuntu/" + series));
    m.put("duration", LaunchpadTime.timedelta(b.duration()));
    m.put("estimate", eta != null);
    m.put("eta", LaunchpadTime.datetime(eta));
    m.put("pocket", "Updates");
    m.put("recipe_link", roots.api(b.recipe.path()));
    m.put("registry_upload_error_summary", b.registryUploadErrorSummary);
    m.put("registry_upload_errors", b.registryUploadErrors);
    m.put("registry_upload_status", b.registryUploadStatus);
    m.put("requester_link", roots.api("~" + world.user()));
    m.put("score", b.buildstate.equals(Build.NEEDS_BUILDING) ? 2510 : null);
    m.put("title", b.arch + " build of /" + b.recipe.path());
    m.put("upload_log_url", null);
    return withEtag(m);
  }

  Map<String, Object> processor(Processor p) {
    Map<String, Object> m = head("+processors/" + p.name(), null, "processor");
    m.put("build_by_default", p.buildByDefault());
    m.put("description", p.description());
    m.put("name", p.name());
    m.put("restricted", p.restricted());
    m.put("supports_nonvirtualized", true);
    m.put("supports_virtualized", true);
    m.put("title", p.title());
    return withEtag(m);
  }

  Map<String, Object> pushRule(Recipe r, PushRule rule) {
    String self = r.path() + "/+push-rule/" + rule.id();
    Map<String, Object> m = head(self, self, "oci_push_rule");
    m.put("image_name", rule.imageName());
    m.put("registry_url", rule.registryUrl());
    m.put("username", rule.username());
    return withEtag(m);
  }

  Map<String, Object> ociProject(OciProject p) {
    Map<String, Object> m = head(p.path(), p.path(), "oci_project");
    m.put("date_created", LaunchpadTime.datetime(p.dateCreated()));
    m.put("date_last_modified", LaunchpadTime.datetime(p.dateCreated()));
    m.put("description", null);
    m.put("display_name", "OCI project " + p.name() + " for " + p.pillar());
    boolean distribution = OciProjectSearch.isDistribution(p.pillar());
    m.put("distribution_link", distribution ? roots.api(p.pillar()) : null);
    m.put("name", p.name());
    m.put("project_link", distribution ? null : roots.api(p.pillar()));
    m.put("registrant_link", roots.api("~" + p.registrant()));
    return withEtag(m);
  }

  Map<String, Object> person(Person p) {
    Map<String, Object> m = head("~" + p.name(), "~" + p.name(), "person");
    m.put("display_name", p.displayName());
    m.put("is_team", p.team());
    m.put("name", p.name());
    return withEtag(m);
  }

  /** A collection page: {@code entries} are full entries, as Launchpad serves them. */
  Map<String, Object> page(String type, String collectionPath, List<Map<String, Object>> all, int start, int size) {
    return page(type, collectionPath, "", all, start, size);
  }

  /**
   * A page whose links keep {@code query} (a named operation and its arguments, each followed by
   * {@code &}), as Launchpad's pages of a named operation's answer do.
   */
  Map<String, Object> page(String type, String collectionPath, String query, List<Map<String, Object>> all,
      int start, int size) {
    Map<String, Object> m = new LinkedHashMap<>();
    int from = Math.min(start, all.size());
    int to = Math.min(all.size(), from + size);
    m.put("total_size", all.size());
    m.put("start", start);
    if (to < all.size()) {
      m.put("next_collection_link", roots.api(collectionPath) + "?" + query + "ws.size=" + size + "&memo=" + to
          + "&ws.start=" + to);
    }
    if (from > 0) {
      int prev = Math.max(0, from - size);
      m.put("prev_collection_link", roots.api(collectionPath) + "?" + query + "ws.size=" + size + "&memo=" + prev
          + "&ws.start=" + prev + "&direction=backwards");
    }
    m.put("entries", all.subList(from, to));
    m.put("resource_type_link", roots.type(type + "-page-resource"));
    return m;
  }

  private Map<String, Object> head(String selfPath, String webPath, String type) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("self_link", roots.api(selfPath));
    if (webPath != null) {
      m.put("web_link", roots.web(webPath));
    }
    m.put("resource_type_link", roots.type(type));
    m.put("http_etag", null);
    return m;
  }

  /** Launchpad's shape, {@code "<read hash>-<write hash>"}: any field change changes it. */
  private static Map<String, Object> withEtag(Map<String, Object> m) {
    Map<String, Object> writable = new LinkedHashMap<>();
    m.forEach((k, v) -> {
      if (WRITABLE.contains(k)) {
        writable.put(k, v);
      }
    });
    m.put("http_etag", "\"" + sha1(Json.write(m)) + "-" + sha1(Json.write(writable)) + "\"");
    return m;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
