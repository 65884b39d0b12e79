package dev.imagebuilder.testkit.internal.launchpad;

import dev.imagebuilder.testkit.internal.launchpad.Schema.EntryType;
import dev.imagebuilder.testkit.internal.launchpad.Schema.Field;
import dev.imagebuilder.testkit.internal.launchpad.Schema.Operation;
import dev.imagebuilder.testkit.internal.launchpad.Schema.Param;
import java.util.List;

/**
 * Writes the WADL of the resources in {@link Schema}, in the shape lazr.restful produces, for one
 * service root: every type reference is {@code <root>#<type>}, so wadllib resolves the
 * {@code resource_type_link}s of our JSON against this document.
 */
public final class WadlWriter {
  private final String root;
  private final StringBuilder out = new StringBuilder(64 * 1024);

  private WadlWriter(String root) {
    this.root = root;
  }

  public static String write(String root) {
    return new WadlWriter(root).document();
  }

  private String document() {
    line(0, "<?xml version=\"1.0\"?>");
    line(0, "<wadl:application xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
        + " xmlns=\"http://research.sun.com/wadl/2006/10\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
        + " xmlns:wadl=\"http://research.sun.com/wadl/2006/10\""
        + " xsi:schemaLocation=\"http://research.sun.com/wadl/2006/10/wadl.xsd\">");
    line(1, "<wadl:doc xmlns=\"http://www.w3.org/1999/xhtml\" title=\"About this service\">"
        + "A fake of the Launchpad web service (imagebuilder test kit): OCI recipes, their build"
        + " requests, builds, processors and push rules.</wadl:doc>");
    line(1, "<wadl:resources base=\"" + attr(root) + "\">");
    line(2, "<wadl:resource path=\"\" type=\"#service-root\"/>");
    line(1, "</wadl:resources>");
    serviceRoot();
    processorsCollection();
    for (EntryType type : Schema.ENTRIES) {
      entry(type);
      page(type.id());
    }
    line(1, "<wadl:resource_type id=\"ScalarValue\">");
    line(2, "<wadl:method name=\"GET\" id=\"ScalarValue-get\">");
    line(3, "<wadl:response><wadl:representation mediaType=\"application/json\"/></wadl:response>");
    line(2, "</wadl:method>");
    line(1, "</wadl:resource_type>");
    line(0, "</wadl:application>");
    return out.toString();
  }

  private void serviceRoot() {
    line(1, "<wadl:resource_type id=\"service-root\">");
    line(2, "<wadl:doc>The root of the web service.</wadl:doc>");
    line(2, "<wadl:method name=\"GET\" id=\"service-root-get\">");
    line(3, "<wadl:response>");
    line(4, "<wadl:representation href=\"#service-root-json\"/>");
    line(4, "<wadl:representation mediaType=\"application/vnd.sun.wadl+xml\" id=\"service-root-wadl\"/>");
    line(3, "</wadl:response>");
    line(2, "</wadl:method>");
    line(1, "</wadl:resource_type>");
    line(1, "<wadl:representation mediaType=\"application/json\" id=\"service-root-json\">");
    for (Field link : Schema.ROOT_LINKS) {
      field(2, link, false);
    }
    line(2, "<wadl:param style=\"plain\" name=\"resource_type_link\" path=\"$['resource_type_link']\"><wadl:link/></wadl:param>");
    line(1, "</wadl:representation>");
  }

  private void processorsCollection() {
    line(1, "<wadl:resource_type id=\"processors\">");
    line(2, "<wadl:method name=\"GET\" id=\"processors-get\">");
    line(3, "<wadl:response>");
    line(4, "<wadl:representation href=\"" + ref("processor-page") + "\"/>");
    line(4, "<wadl:representation mediaType=\"application/vnd.sun.wadl+xml\" id=\"processors-wadl\"/>");
    line(3, "</wadl:response>");
    line(2, "</wadl:method>");
    operation(2, "processors", Schema.PROCESSORS_GET_BY_NAME);
    line(1, "</wadl:resource_type>");
  }

  private void entry(EntryType type) {
    String id = type.id();
    line(1, "<wadl:resource_type id=\"" + id + "\">");
    line(2, "<wadl:method name=\"GET\" id=\"" + id + "-get\">");
    line(3, "<wadl:response>");
    line(4, "<wadl:representation href=\"" + ref(id + "-full") + "\"/>");
    line(4, "<wadl:representation mediaType=\"application/vnd.sun.wadl+xml\" id=\"" + id + "-wadl\"/>");
    line(3, "</wadl:response>");
    line(2, "</wadl:method>");
    if (Schema.DELETABLE.contains(id)) {
      line(2, "<wadl:method name=\"DELETE\" id=\"" + id + "-delete\"/>");
    }
    for (Operation op : type.operations()) {
      operation(2, id, op);
    }
    line(1, "</wadl:resource_type>");
    line(1, "<wadl:representation mediaType=\"application/json\" id=\"" + id + "-full\">");
    line(2, "<wadl:param style=\"plain\" name=\"self_link\" path=\"$['self_link']\"><wadl:link resource_type=\""
        + ref(id) + "\"/></wadl:param>");
    if (type.webLink()) {
      line(2, "<wadl:param style=\"plain\" name=\"web_link\" path=\"$['web_link']\"><wadl:link/></wadl:param>");
    }
    line(2, "<wadl:param style=\"plain\" name=\"resource_type_link\" path=\"$['resource_type_link']\"><wadl:link/></wadl:param>");
    line(2, "<wadl:param style=\"plain\" name=\"http_etag\" path=\"$['http_etag']\"/>");
    for (Field field : type.fields()) {
      field(2, field, true);
    }
    line(1, "</wadl:representation>");
    // Our entries take no PATCH; an empty diff representation says so, as Launchpad does for
    // read-only types.
    line(1, "<wadl:representation mediaType=\"application/json\" id=\"" + id + "-diff\"/>");
  }

  private void page(String id) {
    line(1, "<wadl:resource_type id=\"" + id + "-page-resource\">");
    line(2, "<wadl:method name=\"GET\" id=\"" + id + "-page-resource-get\">");
    line(3, "<wadl:response><wadl:representation href=\"#" + id + "-page\"/></wadl:response>");
    line(2, "</wadl:method>");
    line(1, "</wadl:resource_type>");
    line(1, "<wadl:representation mediaType=\"application/json\" id=\"" + id + "-page\">");
    line(2, "<wadl:param style=\"plain\" name=\"resource_type_link\" path=\"$['resource_type_link']\"><wadl:link/></wadl:param>");
    line(2, "<wadl:param style=\"plain\" name=\"total_size\" path=\"$['total_size']\" required=\"false\"/>");
    line(2, "<wadl:param style=\"plain\" name=\"total_size_link\" path=\"$['total_size_link']\" required=\"false\">"
        + "<wadl:link resource_type=\"#ScalarValue\"/></wadl:param>");
    line(2, "<wadl:param style=\"plain\" name=\"start\" path=\"$['start']\" required=\"true\"/>");
    line(2, "<wadl:param style=\"plain\" name=\"next_collection_link\" path=\"$['next_collection_link']\">"
        + "<wadl:link resource_type=\"#" + id + "-page-resource\"/></wadl:param>");
    line(2, "<wadl:param style=\"plain\" name=\"prev_collection_link\" path=\"$['prev_collection_link']\">"
        + "<wadl:link resource_type=\"#" + id + "-page-resource\"/></wadl:param>");
    line(2, "<wadl:param style=\"plain\" name=\"entries\" path=\"$['entries']\" required=\"true\"/>");
    line(2, "<wadl:param style=\"plain\" name=\"entry_links\" path=\"$['entries'][*]['self_link']\">"
        + "<wadl:link resource_type=\"" + ref(id) + "\"/></wadl:param>");
    line(1, "</wadl:representation>");
  }

  private void operation(int depth, String typeId, Operation op) {
    line(depth, "<wadl:method id=\"" + typeId + "-" + op.name() + "\" name=\"" + op.method() + "\">");
    line(depth + 1, "<wadl:request>");
    boolean post = op.method().equals("POST");
    int inner = depth + 2;
    if (post) {
      line(inner, "<wadl:representation mediaType=\"application/x-www-form-urlencoded\">");
      inner++;
    }
    line(inner, "<wadl:param style=\"query\" name=\"ws.op\" required=\"true\" fixed=\"" + op.name() + "\"/>");
    for (Param p : op.params()) {
      if (p.linkType() == null) {
        line(inner, "<wadl:param style=\"query\" name=\"" + p.name() + "\" required=\"" + p.required() + "\"/>");
      } else {
        line(inner, "<wadl:param style=\"query\" name=\"" + p.name() + "\" required=\"" + p.required() + "\">"
            + "<wadl:link resource_type=\"" + ref(p.linkType()) + "\"/></wadl:param>");
      }
    }
    if (post) {
      line(depth + 2, "</wadl:representation>");
    }
    line(depth + 1, "</wadl:request>");
    if (op.factoryType() != null) {
      line(depth + 1, "<wadl:response><wadl:param name=\"Location\" style=\"header\"><wadl:link resource_type=\""
          + ref(op.factoryType()) + "\"/></wadl:param></wadl:response>");
    } else if (op.returns() != null && !op.returns().isEmpty()) {
      line(depth + 1, "<wadl:response><wadl:representation href=\"" + ref(op.returns()) + "\"/></wadl:response>");
    }
    line(depth, "</wadl:method>");
  }

  private void field(int depth, Field field, boolean required) {
    StringBuilder tag = new StringBuilder("<wadl:param style=\"plain\"");
    if (required) {
      tag.append(" required=\"true\"");
    }
    tag.append(" name=\"").append(field.name()).append("\" path=\"$['").append(field.name()).append("']\"");
    if (field.datetime()) {
      tag.append(" type=\"xsd:dateTime\"");
    }
    List<String> options = field.options();
    if (!field.isLink() && options.isEmpty()) {
      line(depth, tag.append("/>").toString());
      return;
    }
    line(depth, tag.append(">").toString());
    if (field.isLink()) {
      line(depth + 1, field.linkType().isEmpty() ? "<wadl:link/>" : "<wadl:link resource_type=\"" + ref(field.linkType()) + "\"/>");
    }
    for (String option : options) {
      line(depth + 1, "<wadl:option value=\"" + attr(option) + "\"/>");
    }
    line(depth, "</wadl:param>");
  }

  private String ref(String id) {
    return attr(root) + "#" + id;
  }

  private void line(int depth, String text) {
    out.append("  ".repeat(depth)).append(text).append('\n');
  }

  private static String attr(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
