package dev.imagebuilder.api;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * A Launchpad personal package archive: {@code ppa:owner/name} (Ubuntu), {@code owner/name}, or
 * {@code owner/distribution/name}. Each part follows Launchpad's name rule: lower-case letters,
 * digits, {@code + - .}, starting with a letter or digit, at least two characters.
 */
public record Ppa(String owner, String distribution, String name) {
  private static final Pattern LP_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]{1,}");

  public Ppa {
    check("owner", owner);
    check("distribution", distribution);
    check("name", name);
  }

  /**
   * Parses one of the accepted spellings.
   *
   * @throws InvalidRequestException naming the value and the rule it breaks
   */
  public static Ppa of(String text) {
    if (text == null) {
      throw new InvalidRequestException("ppa", "must not be null");
    }
    String s = text.strip();
    if (s.startsWith("ppa:")) {
      s = s.substring(4);
    }
    String[] parts = s.split("/", -1);
    try {
      if (parts.length == 2) {
        return new Ppa(parts[0], "ubuntu", parts[1]);
      }
      if (parts.length == 3) {
        return new Ppa(parts[0], parts[1], parts[2]);
      }
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("ppa", Checks.quote(text) + ": " + Checks.detail(e), e);
    }
    throw new InvalidRequestException("ppa", Checks.quote(text)
        + " is not a PPA (use ppa:owner/name, owner/name or owner/distribution/name)");
  }

  /** The PPA as {@code add-apt-repository} spells it: {@code ppa:owner/name} or {@code owner/distro/name}. */
  public String reference() {
    return "ubuntu".equals(distribution)
        ? "ppa:" + owner + "/" + name
        : owner + "/" + distribution + "/" + name;
  }

  /** The archive's apt URL on Launchpad's PPA host. */
  public URI archiveUri() {
    return URI.create("https://ppa.launchpadcontent.net/" + owner + "/" + name + "/" + distribution);
  }

  /** The archive's path in Launchpad's web service, relative to the service root. */
  public String launchpadPath() {
    return "~" + owner + "/+archive/" + distribution + "/" + name;
  }

  @Override
  public String toString() {
    return reference();
  }

  private static void check(String part, String value) {
    if (value == null || !LP_NAME.matcher(value).matches()) {
      throw new InvalidRequestException("ppa." + part, Checks.quote(value)
          + " is not a valid Launchpad name (lower-case letters, digits, '+', '-', '.';"
          + " starting with a letter or digit; at least two characters)");
    }
  }
}
