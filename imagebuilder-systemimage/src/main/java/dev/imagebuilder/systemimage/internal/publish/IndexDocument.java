package dev.imagebuilder.systemimage.internal.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.systemimage.internal.protocol.DeviceIndex;
import dev.imagebuilder.systemimage.internal.protocol.Image;
import dev.imagebuilder.systemimage.internal.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A device's {@code index.json} being edited, kept as a JSON tree so that fields we do not model
 * (translations, {@code phased-percentage}, {@code bootme}) survive. Reads go through
 * {@link ProtocolJson}, as a client would read the file.
 */
final class IndexDocument {
  private static final DateTimeFormatter GENERATED_AT =
      DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss 'UTC' yyyy", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  private final ObjectNode root;
  private final String where;

  private IndexDocument(ObjectNode root, String where) {
    this.root = root;
    this.where = where;
  }

  static IndexDocument load(Path file) throws IOException {
    if (!Files.exists(file)) {
      ObjectNode n = ProtocolJson.MAPPER.createObjectNode();
      n.putObject("global");
      n.putArray("images");
      return new IndexDocument(n, file.toString());
    }
    byte[] bytes = Files.readAllBytes(file);
    ProtocolJson.index(bytes, file.toString()); // refuses what a client would refuse
    return new IndexDocument((ObjectNode) ProtocolJson.tree(bytes, file.toString()), file.toString());
  }

  DeviceIndex parsed() throws IOException {
    return ProtocolJson.index(ProtocolJson.MAPPER.writeValueAsBytes(root), where);
  }

  /** The next version: one above the highest of any image (1 for an empty index). */
  int nextVersion() throws IOException {
    return parsed().highestVersion() + 1;
  }

  Optional<Image> full(int version) throws IOException {
    return parsed().images().stream().filter(i -> i.isFull() && i.version() == version).findFirst();
  }

  /** Appends an image; {@code base} is null for a full image. */
  void add(String type, int version, Integer base, String detail, List<PayloadFile> files) {
    ObjectNode image = ((ArrayNode) root.get("images")).addObject();
    if (base != null) {
      image.put("base", base);
    }
    image.put("description", detail);
    ArrayNode list = image.putArray("files");
    for (PayloadFile f : files) {
      ObjectNode n = list.addObject();
      n.put("checksum", f.sha256());
      n.put("order", f.order());
      n.put("path", f.path().value());
      n.put("signature", f.path().value() + ".asc");
      n.put("size", f.size());
    }
    image.put("type", type);
    image.put("version", version);
    image.put("version_detail", detail);
  }

  /**
   * Keeps the newest {@code fullCount} full images and the deltas towards them, as the reference
   * server's {@code expire_images} does: a delta goes when its version or its base goes.
   *
   * @return the versions of the full images removed
   */
  Set<Integer> expire(int fullCount) throws IOException {
    TreeSet<Integer> fulls = new TreeSet<>();
    parsed().images().stream().filter(Image::isFull).forEach(i -> fulls.add(i.version()));
    Set<Integer> removed = new TreeSet<>();
    while (fullCount > 0 && fulls.size() > fullCount) {
      removed.add(fulls.pollFirst());
    }
    if (removed.isEmpty()) {
      return removed;
    }
    for (Iterator<JsonNode> it = root.get("images").iterator(); it.hasNext(); ) {
      JsonNode image = it.next();
      if (removed.contains(image.get("version").asInt())
          || (image.has("base") && removed.contains(image.get("base").asInt()))) {
        it.remove();
      }
    }
    return removed;
  }

  /**
   * The document as the reference server writes it: keys sorted, indented, a final newline, and
   * {@code phased-percentage} only on the newest version.
   */
  byte[] render(Instant now) throws IOException {
    int newest = parsed().highestVersion();
    List<JsonNode> images = new ArrayList<>();
    root.get("images").forEach(images::add);
    for (JsonNode image : images) {
      if (image.get("version").asInt() != newest) {
        ((ObjectNode) image).remove("phased-percentage");
      }
    }
    ((ObjectNode) root.get("global")).put("generated_at", GENERATED_AT.format(now));
    return Documents.render(root);
  }
}
