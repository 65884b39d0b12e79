package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.registry.ImageReference;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tags of a promotion, as Launchpad names them: {@code <branch>_<risk>} when the branch has
 * Launchpad's valid format ({@code <app version>-<ubuntu version>}, such as {@code 1.21-22.04}),
 * plain {@code <risk>} otherwise; then the aliases.
 */
final class PromotionTags {
  private static final Pattern VALID_BRANCH = Pattern.compile("(.+)-(\\d\\d\\.\\d\\d)");

  private PromotionTags() {}

  /** The tag Launchpad pushed for {@code risk} (normally edge). */
  static String tag(String branch, String risk) {
    return branch != null && VALID_BRANCH.matcher(branch).matches() ? branch + "_" + risk : risk;
  }

  /**
   * Every tag to write for one (image, series): the main tag, then the aliases. Aliases that name
   * no series are written for {@code newest} only.
   */
  static List<String> targets(Catalog.Entry entry, String branch, OciPromotion p, boolean newest) {
    Set<String> out = new LinkedHashSet<>();
    out.add(tag(branch, p.to()));
    var m = branch == null ? null : VALID_BRANCH.matcher(branch);
    String app = m != null && m.matches() ? m.group(1) : "";
    Series s = entry.series();
    for (String template : p.aliases()) {
      if (!OciPromotion.namesSeries(template) && !newest) {
        continue;
      }
      String t = template
          .replace("{branch}", branch == null ? "" : branch)
          .replace("{app}", app)
          .replace("{version}", s.version().orElse(entry.seriesName()))
          .replace("{codename}", s.codename().orElse(entry.seriesName()))
          .replace("{series}", entry.seriesName())
          .replace("{risk}", p.to());
      try {
        out.add(ImageReference.tag(t));
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("aliases", "'" + template + "' gives '" + t + "' for " + entry.image() + " "
            + entry.seriesName() + ", which is not a valid tag");
      }
    }
    return List.copyOf(out);
  }

  /** Whether {@code entry} is its image's newest series in the catalog. */
  static boolean newest(Catalog catalog, Catalog.Entry entry) {
    List<Catalog.Entry> all = new ArrayList<>(catalog.entries(entry.image()));
    all.sort((a, b) -> compare(a.series(), b.series()));
    return !all.isEmpty() && Catalog.same(all.get(all.size() - 1).series(), entry.series());
  }

  private static int compare(Series a, Series b) {
    return a.version().orElse("").compareTo(b.version().orElse(""));
  }
}
