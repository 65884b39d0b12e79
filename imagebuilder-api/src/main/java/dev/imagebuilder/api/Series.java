package dev.imagebuilder.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An Ubuntu series, given by codename ({@code jammy}) or version ({@code 22.04}). Every release
 * from 14.04 on is known both ways; an unknown but well-formed codename or {@code YY.MM} version
 * is accepted too, knowing only the form it was given in.
 */
public final class Series {
  private static final Pattern CODENAME = Pattern.compile("[a-z][a-z0-9-]{1,31}");
  private static final Pattern VERSION = Pattern.compile("(\\d{2})\\.(0[1-9]|1[0-2])");
  private static final Map<String, String> VERSION_BY_CODENAME = new LinkedHashMap<>();
  private static final Map<String, String> CODENAME_BY_VERSION = new LinkedHashMap<>();

  static {
    String[][] releases = {
      {"14.04", "trusty"}, {"14.10", "utopic"}, {"15.04", "vivid"}, {"15.10", "wily"},
      {"16.04", "xenial"}, {"16.10", "yakkety"}, {"17.04", "zesty"}, {"17.10", "artful"},
      {"18.04", "bionic"}, {"18.10", "cosmic"}, {"19.04", "disco"}, {"19.10", "eoan"},
      {"20.04", "focal"}, {"20.10", "groovy"}, {"21.04", "hirsute"}, {"21.10", "impish"},
      {"22.04", "jammy"}, {"22.10", "kinetic"}, {"23.04", "lunar"}, {"23.10", "mantic"},
      {"24.04", "noble"}, {"24.10", "oracular"}, {"25.04", "plucky"}, {"25.10", "questing"},
      {"26.04", "resolute"},
    };
    for (String[] r : releases) {
      CODENAME_BY_VERSION.put(r[0], r[1]);
      VERSION_BY_CODENAME.put(r[1], r[0]);
    }
  }

  private final String codename;
  private final String version;
  private final boolean givenAsCodename;

  private Series(String codename, String version, boolean givenAsCodename) {
    this.codename = codename;
    this.version = version;
    this.givenAsCodename = givenAsCodename;
  }

  /**
   * Parses a codename or a version.
   *
   * @throws InvalidRequestException naming the value when it is neither
   */
  public static Series of(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException("series", Checks.quote(text)
          + " is not a series (give a codename such as 'jammy' or a version such as '22.04')");
    }
    String s = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (VERSION.matcher(s).matches()) {
      return new Series(CODENAME_BY_VERSION.get(s), s, false);
    }
    if (CODENAME.matcher(s).matches()) {
      return new Series(s, VERSION_BY_CODENAME.get(s), true);
    }
    throw new InvalidRequestException("series", Checks.quote(text)
        + " is not a series (give a codename such as 'jammy' or a version such as '22.04')");
  }

  /** Every release this library knows both names of, oldest first. */
  public static java.util.List<Series> known() {
    return CODENAME_BY_VERSION.entrySet().stream()
        .map(e -> new Series(e.getValue(), e.getKey(), false))
        .toList();
  }

  /** The codename ({@code jammy}), when known. */
  public Optional<String> codename() {
    return Optional.ofNullable(codename);
  }

  /** The version ({@code 22.04}), when known. */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** The version when known, else the codename: how OCI recipes and the CLI name a series. */
  public String versionOrCodename() {
    return version != null ? version : codename;
  }

  /** The codename when known, else the version: how apt and cloud images name a series. */
  public String codenameOrVersion() {
    return codename != null ? codename : version;
  }

  /**
   * The series in the form it was given: the codename when parsed from a codename, else the
   * version. Equal series may differ here ({@code jammy} and {@code 22.04}).
   */
  public String asGiven() {
    return givenAsCodename ? codename : version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Series other
        && Objects.equals(codename, other.codename) && Objects.equals(version, other.version);
  }

  @Override
  public int hashCode() {
    return Objects.hash(codename, version);
  }

  @Override
  public String toString() {
    return versionOrCodename();
  }
}
