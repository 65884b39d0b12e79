package dev.imagebuilder.api;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Promotion of OCI images from one risk to another: the manifest list Launchpad pushed as
 * {@code <branch>_<from>} (such as {@code 1.21-22.04_edge}) is tagged {@code <branch>_<to>} and
 * with each alias, in every registry of the recipe's push rules, by its exact bytes (the digest
 * does not change).
 *
 * <p>Alias templates may use {@code {branch}} ({@code 1.21-22.04}), {@code {app}} ({@code 1.21}),
 * {@code {version}} ({@code 22.04}), {@code {codename}} ({@code jammy}), {@code {series}} (as the
 * catalog names it) and {@code {risk}} (the {@code to} risk). A template that names no series
 * ({@code latest}, {@code {app}_{risk}}) would give every series the same tag, so it is applied
 * to the newest series of each image in the catalog only.
 *
 * @param from the risk read, {@code edge} unless given
 * @param to the risk written, such as {@code beta}, {@code candidate} or {@code stable}
 * @param aliases extra tag templates, such as {@code {version}_{risk}} or {@code latest}
 */
public record OciPromotion(String from, String to, List<String> aliases) {
  private static final Pattern RISK = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
  private static final Pattern TEMPLATE = Pattern.compile("([A-Za-z0-9_.-]|\\{(branch|app|version|codename|series|risk)\\})+");
  private static final List<String> SERIES_PLACEHOLDERS = List.of("{branch}", "{version}", "{codename}", "{series}");

  public OciPromotion {
    from = risk("from", from == null ? "edge" : from);
    to = risk("to", to);
    if (from.equals(to)) {
      throw new InvalidRequestException("to", "'" + to + "' is the risk promoted from; give another risk");
    }
    aliases = Checks.list("aliases", aliases == null ? List.of() : aliases, OciPromotion::template);
  }

  /** From {@code edge} to {@code to}, without aliases. */
  public static OciPromotion to(String to) {
    return new OciPromotion("edge", to, List.of());
  }

  /** The same promotion with these alias templates. */
  public OciPromotion withAliases(String... templates) {
    return withAliases(Arrays.asList(templates));
  }

  public OciPromotion withAliases(Collection<String> templates) {
    return new OciPromotion(from, to, List.copyOf(templates));
  }

  /** Whether a template names the series; one that does not goes to the newest series only. */
  public static boolean namesSeries(String template) {
    return SERIES_PLACEHOLDERS.stream().anyMatch(template::contains);
  }

  private static String risk(String field, String value) {
    String s = value == null ? null : value.strip();
    if (s == null || !RISK.matcher(s).matches()) {
      throw new InvalidRequestException(field, Checks.quote(value)
          + " is not a risk (lower-case letters, digits, '.', '-', such as edge, beta, candidate, stable)");
    }
    return s;
  }

  private static String template(String value) {
    String s = value == null ? "" : value.strip();
    if (!TEMPLATE.matcher(s).matches() || s.startsWith(".") || s.startsWith("-")) {
      throw new InvalidRequestException("aliases", Checks.quote(value) + " is not a tag template (letters, digits,"
          + " '_', '.', '-' and {branch}, {app}, {version}, {codename}, {series}, {risk})");
    }
    return s;
  }
}
