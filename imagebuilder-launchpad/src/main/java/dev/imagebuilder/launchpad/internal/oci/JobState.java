package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's ticket state: recipes, build request URLs, build URLs per target, attempt counts and
 * the last state seen. Only remote references and counts: nothing secret.
 *
 * <pre>{@code
 * {"format": 3, "cancel_requested": false, "planned": true,
 *  "runs": [{"id": "r0", "image": "redis", "series": "22.04", "recipe": "https://...", "push_rules": 1,
 *            "web_link": "https://launchpad.net/...",
 *            "phase": "COMPLETED", "build_request": "https://.../+build-request/7",
 *            "cancelled_builds": ["https://.../+build/9"], "error": null,
 *            "webhook": "https://.../+webhook/3", "webhook_state": "ACTIVE"}],
 *  "targets": [{"key": "redis/22.04/amd64", "arch": "amd64", "run": "r0", "build": "https://.../+build/8",
 *               "attempt": 1, "upload_attempts": 0, "state": "SUCCEEDED"}]}
 * }</pre>
 */
final class JobState {
  private JobState() {}

  static Map<String, Object> write(List<RecipeRun> runs, Collection<Target> targets, boolean cancelRequested) {
    List<Object> runList = new ArrayList<>();
    for (RecipeRun r : runs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.id);
      m.put("image", r.entry.image());
      m.put("series", r.entry.seriesName());
      m.put("recipe", r.recipe.toString());
      m.put("push_rules", r.pushRules);
      m.put("web_link", r.webLink == null ? null : r.webLink.toString());
      m.put("phase", r.phase.name());
      m.put("build_request", r.buildRequest == null ? null : r.buildRequest.toString());
      m.put("cancelled_builds", r.cancelledUnwanted.stream().map(URI::toString).toList());
      m.put("error", r.error);
      m.put("ignored_architectures", List.copyOf(r.ignored));
      m.put("webhook", r.webhook == null ? null : r.webhook.toString());
      m.put("webhook_state", r.webhookState.name());
      m.put("webhook_delivery_url", r.webhookDelivery == null ? null : r.webhookDelivery.toString());
      runList.add(m);
    }
    List<Object> targetList = new ArrayList<>();
    for (Target t : targets) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", t.key);
      m.put("arch", t.arch);
      m.put("run", t.run.id);
      m.put("build", t.build == null ? null : t.build.toString());
      m.put("attempt", t.status.attempt());
      m.put("upload_attempts", t.uploadAttempts);
      m.put("state", t.status.state().name());
      targetList.add(m);
    }
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("format", OciBuildJob.STATE_FORMAT);
    state.put("cancel_requested", cancelRequested);
    state.put("runs", runList);
    state.put("targets", targetList);
    return state;
  }

  /** Rebuilds runs and targets into {@code job}; {@code catalog} gives back the entries. */
  static int read(Map<String, Object> state, Catalog catalog, JobBook job) {
    Object format = state.get("format");
    if (!(format instanceof Number n) || n.intValue() < 1 || n.intValue() > OciBuildJob.STATE_FORMAT) {
      throw new ImageBuildException("the ticket's launchpad state has format " + format
          + "; this version reads formats 1 to " + OciBuildJob.STATE_FORMAT);
    }
    job.cancelRequested(Boolean.TRUE.equals(state.get("cancel_requested")));
    job.planned(!Boolean.FALSE.equals(state.get("planned")));
    Map<String, RecipeRun> byId = new LinkedHashMap<>();
    for (Map<String, Object> m : maps(state.get("runs"))) {
      String image = string(m, "image");
      String series = string(m, "series");
      Catalog.Entry entry = (catalog == null ? java.util.Optional.<Catalog.Entry>empty() : catalog.find(image, series)).orElseGet(() ->
          new Catalog.Entry(image, dev.imagebuilder.api.Series.of(series), string(m, "recipe")));
      RecipeRun run = new RecipeRun(string(m, "id"), entry, URI.create(string(m, "recipe")),
          ((Number) m.getOrDefault("push_rules", -1)).intValue());
      run.phase = RecipeRun.Phase.valueOf(string(m, "phase"));
      String br = (String) m.get("build_request");
      run.buildRequest = br == null ? null : URI.create(br);
      for (Object c : (List<?>) m.getOrDefault("cancelled_builds", List.of())) {
        run.cancelledUnwanted.add(URI.create((String) c));
      }
      run.error = (String) m.get("error");
      String web = (String) m.get("web_link");
      run.webLink = web == null ? null : URI.create(web);
      for (Object a : (List<?>) m.getOrDefault("ignored_architectures", List.of())) {
        run.ignored.add((String) a);
      }
      String hook = (String) m.get("webhook");
      run.webhook = hook == null ? null : URI.create(hook);
      run.webhookState = RecipeRun.WebhookState.valueOf((String) m.getOrDefault("webhook_state", "NONE"));
      String delivery = (String) m.get("webhook_delivery_url");
      run.webhookDelivery = delivery == null ? null : URI.create(delivery);
      byId.put(run.id, run);
      job.addRestoredRun(run);
    }
    for (Map<String, Object> m : maps(state.get("targets"))) {
      RecipeRun run = byId.get(string(m, "run"));
      if (run == null) {
        throw new ImageBuildException("the ticket's launchpad state names an unknown run " + m.get("run"));
      }
      String key = string(m, "key");
      String arch = string(m, "arch");
      TargetStatus status = TargetStatus.queued(key, OciTargets.labels(run.entry, arch, run.recipe.toString()))
          .withAttempt(((Number) m.getOrDefault("attempt", 1)).intValue());
      Target t = new Target(key, arch, run, status);
      String build = (String) m.get("build");
      t.build = build == null ? null : URI.create(build);
      t.uploadAttempts = ((Number) m.getOrDefault("upload_attempts", 0)).intValue();
      job.putTarget(t);
    }
    return ((Number) format).intValue();
  }

  /**
   * What a restored run's targets are before the first poll: failures recorded in the ticket
   * stay failures; a requestBuilds sent without a recorded answer (phase UNKNOWN) is unconfirmed.
   */
  static TargetStatus restoredStatus(RecipeRun run, TargetStatus queued) {
    return switch (run.phase) {
      case FAILED -> queued.withState(TargetState.FAILED_TO_BUILD, "requestBuilds failed").withError(run.error);
      case UNKNOWN -> unconfirmed(run, queued);
      default -> queued;
    };
  }

  /**
   * A target whose requestBuilds went out without an answer anyone recorded. Launchpad lists no
   * build requests of a recipe, so whether it made one cannot be checked from here: the target
   * says so, with the recipe's page to look at, and is never requested again by itself.
   */
  static TargetStatus unconfirmed(RecipeRun run, TargetStatus status) {
    String page = run.webLink != null ? run.webLink.toString() : run.recipe.toString();
    return status.withState(TargetState.UNCONFIRMED, "requestBuilds unconfirmed")
        .withLinks(run.webLink != null ? run.webLink : status.webLink(), status.logUrl())
        // What to do within the first 240 characters: the command line shows no more of an error.
        .withError("requestBuilds went out, but its answer was never recorded: if the recipe's page shows no"
            + " build requested then, retry this target by name (on the command line: retry --target "
            + status.key() + "; BuildHandle.retry with its key). Launchpad lists no build requests of a"
            + " recipe, so this cannot be checked from here. Page: " + page
            + (run.error != null ? ". " + run.error : ""));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Object o) {
    if (!(o instanceof List<?> l)) {
      throw new ImageBuildException("the ticket's launchpad state is malformed (expected a list)");
    }
    return (List<Map<String, Object>>) l;
  }

  private static String string(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof String s)) {
      throw new ImageBuildException("the ticket's launchpad state is malformed: '" + key + "' missing");
    }
    return s;
  }
}
