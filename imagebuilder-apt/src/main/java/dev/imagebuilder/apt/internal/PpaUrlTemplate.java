package dev.imagebuilder.apt.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a PPA's apt archive lives, with placeholders {@code {owner}}, {@code {name}},
 * {@code {distribution}} and {@code {series}}. Launchpad's is the default; a test or an offline
 * mirror points it elsewhere. The expanded URL is what the image's apt uses, so it is resolved
 * inside the image: {@code file:} names a directory in the image, not on the build host.
 */
public final class PpaUrlTemplate {
  public static final PpaUrlTemplate LAUNCHPAD =
      new PpaUrlTemplate("https://ppa.launchpadcontent.net/{owner}/{name}/{distribution}");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
  private static final Set<String> KNOWN = Set.of("owner", "name", "distribution", "series");
  private static final Set<String> SCHEMES = Set.of("https", "http", "file");

  private final String template;

  private PpaUrlTemplate(String template) {
    this.template = template;
  }

  /**
   * Checks a template: known placeholders only, an https, http or file URL, no user information.
   *
   * @param field the configuration key, for messages
   */
  public static PpaUrlTemplate parse(String field, String text) {
    String t = text.strip();
    Matcher m = PLACEHOLDER.matcher(t);
    while (m.find()) {
      if (!KNOWN.contains(m.group(1))) {
        throw new InvalidRequestException(field, "'" + text + "' has an unknown placeholder {"
            + m.group(1) + "} (known: {owner}, {name}, {distribution}, {series})");
      }
    }
    URI sample;
    try {
      sample = new URI(expand(t, "owner", "name", "ubuntu", "jammy"));
    } catch (java.net.URISyntaxException e) {
      throw new InvalidRequestException(field, "'" + text + "' is not a URL template: " + e.getReason());
    }
    String scheme = sample.getScheme() == null ? "" : sample.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      throw new InvalidRequestException(field,
          "'" + text + "' must be an https, http or file URL template");
    }
    if (sample.getRawUserInfo() != null) {
      throw new InvalidRequestException(field, "URL must not carry user information");
    }
    return new PpaUrlTemplate(t);
  }

  /** The archive URL apt is given for {@code ppa} when building for {@code series}. */
  public URI archiveUri(Ppa ppa, Series series) {
    return URI.create(expand(template, ppa.owner(), ppa.name(), ppa.distribution(), series.codenameOrVersion()));
  }

  private static String expand(String t, String owner, String name, String distribution, String series) {
    // Every value is a validated Launchpad name or series, so none needs URL escaping.
    return t.replace("{owner}", owner).replace("{name}", name)
        .replace("{distribution}", distribution).replace("{series}", series);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PpaUrlTemplate other && template.equals(other.template);
  }

  @Override
  public int hashCode() {
    return template.hashCode();
  }

  @Override
  public String toString() {
    return template;
  }
}
