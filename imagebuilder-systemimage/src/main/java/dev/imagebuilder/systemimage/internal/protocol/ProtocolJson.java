package dev.imagebuilder.systemimage.internal.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.IntegrityException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code channels.json} and {@code index.json} as the system-image client does, and
 * refuses anything the client would refuse (or that would be dangerous to us): non-integer or
 * out-of-range versions, deltas without base, bad checksums, hostile paths. Messages name the
 * document and the field.
 */
public final class ProtocolJson {
  private static final Logger LOG = LoggerFactory.getLogger(ProtocolJson.class);
  public static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private ProtocolJson() {}

  public static JsonNode tree(byte[] json, String where) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IntegrityException(where + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new IntegrityException(where + " is not valid JSON: " + e.getMessage());
    }
  }

  /**
   * Parses {@code channels.json}. Channels and devices whose names are not usable
   * ({@link RemoteNames}: a '/' in a device, control characters...) are left out with a warning
   * that shows them escaped; the rest of the document is still read.
   */
  public static Map<String, ChannelEntry> channels(byte[] json, String where) {
    JsonNode root = tree(json, where);
    Map<String, ChannelEntry> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!RemoteNames.isChannel(e.getKey())) {
        LOG.warn("{}: ignoring channel '{}': not a usable channel name", where,
            Printable.escape(e.getKey(), 200));
        continue;
      }
      String field = where + ": channel '" + e.getKey() + "'";
      JsonNode c = e.getValue();
      if (!c.isObject()) {
        throw new IntegrityException(field + " is not an object");
      }
      Map<String, ChannelEntry.DeviceEntry> devices = new LinkedHashMap<>();
      JsonNode devs = c.path("devices");
      if (!devs.isMissingNode() && !devs.isObject()) {
        throw new IntegrityException(field + ".devices is not an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> d = devs.fields(); d.hasNext(); ) {
        Map.Entry<String, JsonNode> de = d.next();
        if (!RemoteNames.isDevice(de.getKey())) {
          LOG.warn("{}.devices: ignoring device '{}': not a usable device name", field,
              Printable.escape(de.getKey(), 200));
          continue;
        }
        String dfield = field + ".devices." + de.getKey();
        JsonNode dn = de.getValue();
        String redirect = text(dn, "redirect", dfield);
        if (redirect != null) {
          RemoteNames.requireChannel(dfield + ".redirect", redirect);
        }
        String index = text(dn, "index", dfield);
        if (index == null && redirect == null) {
          throw new IntegrityException(dfield + " has neither 'index' nor 'redirect'");
        }
        devices.put(de.getKey(), new ChannelEntry.DeviceEntry(de.getKey(),
            index == null ? null : RemotePath.of(dfield + ".index", index), redirect));
      }
      String alias = text(c, "alias", field);
      String redirect = text(c, "redirect", field);
      out.put(e.getKey(), new ChannelEntry(e.getKey(), c.path("hidden").asBoolean(false),
          alias == null ? null : RemoteNames.requireChannel(field + ".alias", alias),
          redirect == null ? null : RemoteNames.requireChannel(field + ".redirect", redirect),
          devices));
    }
    return out;
  }

  /** Parses a device's {@code index.json}. */
  public static DeviceIndex index(byte[] json, String where) {
    JsonNode root = tree(json, where);
    String generatedAt = root.path("global").path("generated_at").asText(null);
    JsonNode images = root.path("images");
    if (!images.isArray()) {
      throw new IntegrityException(where + ": 'images' is missing or not a list");
    }
    List<Image> out = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      out.add(image(images.get(i), where + ": images[" + i + "]"));
    }
    return new DeviceIndex(generatedAt, out);
  }

  private static Image image(JsonNode n, String field) {
    if (!n.isObject()) {
      throw new IntegrityException(field + " is not an object");
    }
    String type = text(n, "type", field);
    if (!"full".equals(type) && !"delta".equals(type)) {
      throw new IntegrityException(field + ".type is '" + Printable.escape(type, 100)
          + "', not 'full' or 'delta'");
    }
    int version = version(n.get("version"), field + ".version");
    Integer base = null;
    if (n.has("base")) {
      if ("full".equals(type)) {
        throw new IntegrityException(field + " is a full image with a 'base'");
      }
      base = version(n.get("base"), field + ".base");
    } else if ("delta".equals(type)) {
      throw new IntegrityException(field + " is a delta without 'base'");
    }
    JsonNode files = n.path("files");
    if (!files.isArray()) {
      throw new IntegrityException(field + ".files is missing or not a list");
    }
    List<ImageFile> list = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      list.add(file(files.get(i), field + ".files[" + i + "]"));
    }
    return new Image(type, version, base, text(n, "description", field),
        text(n, "version_detail", field), list);
  }

  private static ImageFile file(JsonNode n, String field) {
    if (!n.isObject()) {
      throw new IntegrityException(field + " is not an object");
    }
    RemotePath path = RemotePath.of(field + ".path", text(n, "path", field));
    RemotePath signature = RemotePath.of(field + ".signature", text(n, "signature", field));
    String checksum = text(n, "checksum", field);
    if (checksum == null || !SHA256.matcher(checksum).matches()) {
      throw new IntegrityException(field + ".checksum '" + Printable.escape(checksum, 100)
          + "' is not a lower-case sha256 hex digest");
    }
    JsonNode size = n.get("size");
    if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
      throw new IntegrityException(field + ".size '" + size + "' is not a non-negative integer");
    }
    JsonNode order = n.get("order");
    if (order == null || !order.isInt()) {
      throw new IntegrityException(field + ".order '" + order + "' is not an integer");
    }
    return new ImageFile(order.asInt(), path, signature, checksum, size.asLong());
  }

  private static int version(JsonNode n, String field) {
    if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()
        || n.asInt() < 0 || n.asInt() > Image.MAX_VERSION) {
      throw new IntegrityException(field + " '" + n + "' is not an integer from 0 to "
          + Image.MAX_VERSION);
    }
    return n.asInt();
  }

  private static String text(JsonNode n, String name, String field) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IntegrityException(field + "." + name + " is not a string");
    }
    return v.asText();
  }

  /** The JSON of one image file entry, as the server writes it. */
  public static ObjectNode fileNode(ImageFile f) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("checksum", f.checksum());
    o.put("order", f.order());
    o.put("path", f.path().value());
    o.put("signature", f.signature().value());
    o.put("size", f.size());
    return o;
  }
}
