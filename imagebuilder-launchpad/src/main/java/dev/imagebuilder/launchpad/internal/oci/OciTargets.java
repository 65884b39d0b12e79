package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.PlannedTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Target keys, labels and the fan-out of recipes into (image, series, architecture) targets. */
final class OciTargets {
  private OciTargets() {}

  static String key(Catalog.Entry e, String arch) {
    return e.image() + "/" + e.seriesName() + "/" + arch;
  }

  static Map<String, String> labels(Catalog.Entry e, String arch, String recipe) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("image", e.image());
    labels.put("series", e.seriesName());
    labels.put("arch", arch);
    labels.put("recipe", recipe);
    return labels;
  }

  /** The architectures of a recipe that a request wants (all of the recipe's when none given). */
  static List<String> wanted(RecipeInfo r, List<Architecture> requested) {
    if (requested.isEmpty()) {
      return r.architectures();
    }
    List<String> out = new ArrayList<>();
    for (String a : r.architectures()) {
      if (requested.stream().anyMatch(x -> x.tag().equals(a))) {
        out.add(a);
      }
    }
    return out;
  }

  /** The planned targets and notes on what is skipped and what the build would change. */
  static Fanout fanout(List<RecipeInfo> recipes, List<Architecture> requested) {
    List<PlannedTarget> targets = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (RecipeInfo r : recipes) {
      List<String> wanted = wanted(r, requested);
      for (Architecture a : requested) {
        if (!r.architectures().contains(a.tag())) {
          notes.add(r.entry().image() + " " + r.entry().seriesName() + ": the recipe does not build "
              + a.tag() + " (its processors: " + String.join(", ", r.architectures()) + "); skipped");
        }
      }
      if (wanted.size() < r.architectures().size()) {
        List<String> unwanted = new ArrayList<>(r.architectures());
        unwanted.removeAll(wanted);
        notes.add(r.entry().image() + " " + r.entry().seriesName() + ": requestBuilds builds every"
            + " processor of the recipe; the builds for " + String.join(", ", unwanted)
            + " will be cancelled as soon as Launchpad creates them (the recipe is not changed)");
      }
      if (!r.publishes() && r.pushRules() != RecipeInfo.PUSH_RULES_UNREAD) {
        notes.add(r.entry().image() + " " + r.entry().seriesName() + ": "
            + (r.pushRules() == 0 ? "the recipe has no push rules" : "the recipe's push rules could not be read")
            + "; builds will not be uploaded to a registry (published=false)");
      }
      for (String a : wanted) {
        String description = r.entry().image() + " " + r.entry().seriesName() + " " + a + " by "
            + (r.webLink() != null ? r.webLink() : r.recipe())
            + (r.publishes() ? "" : " (not published: no push rules)");
        targets.add(new PlannedTarget(key(r.entry(), a), labels(r.entry(), a, r.recipe().toString()), description));
      }
    }
    return new Fanout(targets, notes);
  }

  record Fanout(List<PlannedTarget> targets, List<String> notes) {}
}
