package dev.imagebuilder.guestfs.internal;

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
 * mirror points it elsewhere. The expanded URL is what the image's apt uses, so it is resolved in
 * the guest: {@code file:} names a directory inside the image.
 */
public record PpaUrlTemplate(String template) {
  public static final PpaUrlTemplate LAUNCHPAD =
      new PpaUrlTemplate("https://ppa.launchpadcontent.net/{owner}/{name}/{distribution}");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
  private static final Set<String> KNOWN = Set.of("owner", "name", "distribution", "series");
  private static final Set<String> SCHEMES = Set.of("https", "http", "file");

  static PpaUrlTemplate parse(String field, String text) {
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
      sample = URI.create(expand(t, "owner", "name", "ubuntu", "jammy"));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(field, "'" + text + "' is not a URL template");
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
  public String archiveUrl(Ppa ppa, Series series) {
    return expand(template, ppa.owner(), ppa.name(), ppa.distribution(), series.codenameOrVersion());
  }

  private static String expand(String t, String owner, String name, String distribution, String series) {
    // Every value is a validated Launchpad name or series, so none needs URL escaping.
    return t.replace("{owner}", owner).replace("{name}", name)
        .replace("{distribution}", distribution).replace("{series}", series);
  }
}
