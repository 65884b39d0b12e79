package dev.imagebuilder.guestfs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * What {@code qemu-img info --output=json} says about a file.
 *
 * @param format qemu's format name ({@code qcow2}, {@code raw}, {@code vmdk}, ...)
 * @param virtualSize the disk's size as the guest sees it, in bytes
 * @param backingFile the backing file a qcow2 names, if any
 */
record DiskImageInfo(String format, long virtualSize, Optional<String> backingFile) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Below this, a "raw" file is not a disk anyone could boot: qemu calls any file raw. */
  static final long SMALLEST_DISK = 1L << 20;

  static DiskImageInfo parse(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("qemu-img info printed no JSON: " + e.getMessage(), e);
    }
    if (node == null || !node.path("format").isTextual()) {
      throw new IllegalArgumentException("qemu-img info printed no format");
    }
    JsonNode backing = node.path("backing-filename");
    return new DiskImageInfo(node.path("format").asText(), node.path("virtual-size").asLong(-1),
        backing.isTextual() ? Optional.of(backing.asText()) : Optional.empty());
  }

  /** The matching output format when the base image is already in it. */
  Optional<OutputFormat> asOutputFormat() {
    for (OutputFormat f : OutputFormat.values()) {
      if (f.qemuName().equals(format)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
