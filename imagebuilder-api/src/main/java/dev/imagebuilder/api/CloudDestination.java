package dev.imagebuilder.api;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a cloud image goes: {@code file} (the default: a disk image file on the builder), or
 * {@code glance} (OpenStack Glance of the cloud that {@code OS_CLOUD} or the {@code OS_*}
 * variables name), or {@code glance:NAME} (the {@code clouds.yaml} entry NAME, found as the
 * OpenStack clients find it).
 */
public record CloudDestination(String value) {
  public static final CloudDestination FILE = new CloudDestination("file");
  private static final String GLANCE = "glance";
  /** openstacksdk cloud names are YAML keys; these characters are what real entries use. */
  private static final Pattern CLOUD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

  public CloudDestination {
    if (value == null) {
      throw new InvalidRequestException("destination", "must not be null");
    }
    if (!value.equals("file") && !value.equals(GLANCE)) {
      if (!value.startsWith(GLANCE + ":")) {
        throw new InvalidRequestException("destination", Checks.quote(value)
            + " is not a destination (file, glance or glance:NAME)");
      }
      String cloud = value.substring(GLANCE.length() + 1);
      if (!CLOUD_NAME.matcher(cloud).matches()) {
        throw new InvalidRequestException("destination", Checks.quote(value)
            + " does not name a cloud after 'glance:' (letters, digits, '.', '_', '@', '-')");
      }
    }
  }

  /** Parses {@code file}, {@code glance} or {@code glance:NAME} (surrounding blanks ignored). */
  public static CloudDestination of(String text) {
    if (text == null) {
      throw new InvalidRequestException("destination", "must not be null");
    }
    return new CloudDestination(text.strip());
  }

  /** Glance of the cloud the environment names ({@code OS_CLOUD}, else the {@code OS_*} variables). */
  public static CloudDestination glance() {
    return new CloudDestination(GLANCE);
  }

  /** Glance of the {@code clouds.yaml} entry {@code cloud}. */
  public static CloudDestination glance(String cloud) {
    return new CloudDestination(GLANCE + ":" + cloud);
  }

  public boolean isGlance() {
    return !value.equals("file");
  }

  /** The {@code clouds.yaml} entry named after {@code glance:}, if any. */
  public Optional<String> cloud() {
    return value.startsWith(GLANCE + ":")
        ? Optional.of(value.substring(GLANCE.length() + 1)) : Optional.empty();
  }

  @Override
  public String toString() {
    return value;
  }
}
