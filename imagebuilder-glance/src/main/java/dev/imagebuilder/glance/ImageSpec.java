package dev.imagebuilder.glance;

import dev.imagebuilder.api.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the Glance image record says: its name, formats, visibility and custom properties (extra
 * top-level string keys such as {@code imagebuilder_build_id}, set when the image is created).
 */
public record ImageSpec(String name, String diskFormat, String containerFormat, String visibility,
    Map<String, String> properties) {
  /** Glance v2's enums (GET /v2/schemas/image). */
  public static final List<String> DISK_FORMATS =
      List.of("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop");
  public static final List<String> CONTAINER_FORMATS =
      List.of("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed");
  public static final List<String> VISIBILITIES = List.of("private", "shared", "community", "public");

  /** Keys of the image record itself, which a property must not overwrite. */
  private static final Set<String> RESERVED = Set.of("id", "name", "status", "visibility",
      "protected", "os_hidden", "checksum", "os_hash_algo", "os_hash_value", "owner", "size",
      "virtual_size", "min_ram", "min_disk", "created_at", "updated_at", "disk_format",
      "container_format", "tags", "direct_url", "locations", "self", "file", "schema", "stores");
  private static final Pattern PROPERTY = Pattern.compile("[a-z][a-z0-9_:.-]{0,254}");
  /** Glance keeps property values in a TEXT column (64 KiB on MySQL). */
  public static final int MAX_VALUE = 65_535;

  public ImageSpec {
    if (name == null || name.isBlank() || name.length() > 255) {
      throw new InvalidRequestException("name", "'" + name + "' must be 1 to 255 characters");
    }
    check("disk_format", diskFormat, DISK_FORMATS);
    check("container_format", containerFormat, CONTAINER_FORMATS);
    check("visibility", visibility, VISIBILITIES);
    properties = Map.copyOf(new LinkedHashMap<>(properties));
    properties.forEach((key, value) -> {
      if (!PROPERTY.matcher(key).matches() || RESERVED.contains(key)) {
        throw new InvalidRequestException("properties." + key,
            "is not a custom property name (lower case letters, digits, '_', ':', '.', '-';"
                + " not a core image key)");
      }
      if (value == null || value.length() > MAX_VALUE) {
        throw new InvalidRequestException("properties." + key,
            "must be a string of at most " + MAX_VALUE + " characters");
      }
    });
  }

  private static void check(String field, String value, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw new InvalidRequestException(field, "'" + value + "' is not one of " + allowed);
    }
  }
}
