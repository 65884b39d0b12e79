package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which OCI recipe builds which image for which series. Launchpad has no API listing OCI
 * recipes, so this is configured: explicit {@code recipes} (image -> series -> recipe path or URL)
 * and/or a {@code template} ({@code ~owner/project/+oci/<image>/+recipe/<recipe pattern>} for the
 * series listed per image). Explicit entries win over the template. Optional {@code push_rules}
 * (image, or {@code "*"} for every image, -> list of {@code {"registry_url", "image_name"}})
 * replace the recipes' own push rules as the registries promotion writes to.
 */
public record Catalog(Map<String, Map<String, String>> recipes, Template template, Map<String, List<PushRule>> pushRules) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Recipes named by pattern: {@code {image}}, {@code {series}}, {@code {version}}, {@code {codename}}. */
  public record Template(String owner, String project, String recipe, Map<String, List<String>> images) {
    String path(String image, String seriesKey) {
      Series s = Series.of(seriesKey);
      String name = recipe
          .replace("{image}", image)
          .replace("{series}", seriesKey)
          .replace("{version}", s.version().orElse(seriesKey))
          .replace("{codename}", s.codename().orElse(seriesKey));
      return "~" + owner + "/" + project + "/+oci/" + image + "/+recipe/" + name;
    }
  }

  /** Where promotion writes: a registry and the repository (image name) in it. */
  public record PushRule(String registryUrl, String imageName) {}

  public Catalog(Map<String, Map<String, String>> recipes, Template template) {
    this(recipes, template, Map.of());
  }

  /** The catalog's push rules for an image (its own, else {@code "*"}), or empty to use Launchpad's. */
  public Optional<List<PushRule>> pushRules(String image) {
    List<PushRule> own = pushRules.get(image);
    return Optional.ofNullable(own != null ? own : pushRules.get("*"));
  }

  /** One (image, series) and its recipe reference (a path under the service root or a URL). */
  public record Entry(String image, Series series, String recipe) {
    /** The series as target keys and labels show it. */
    public String seriesName() {
      return series.versionOrCodename();
    }
  }

  public static Catalog read(String field, Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException(field, "catalog file '" + file + "' does not exist");
    } catch (IOException e) {
      throw new InvalidRequestException(field, "catalog file '" + file + "' cannot be read: " + e);
    }
    return parse(field + " (" + file + ")", text);
  }

  public static Catalog parse(String field, String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      throw new InvalidRequestException(field, "catalog is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidRequestException(field, "catalog must be a JSON object with 'recipes' and/or 'template'");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("recipes") && !k.equals("template") && !k.equals("push_rules")) {
        throw new InvalidRequestException(field, "unknown key '" + k + "' (expected 'recipes', 'template', 'push_rules')");
      }
    }
    Map<String, Map<String, String>> recipes = new LinkedHashMap<>();
    JsonNode r = root.path("recipes");
    if (!r.isMissingNode() && !r.isNull()) {
      object(field, "recipes", r);
      r.fields().forEachRemaining(img -> {
        String where = "recipes." + img.getKey();
        object(field, where, img.getValue());
        Map<String, String> bySeries = new LinkedHashMap<>();
        img.getValue().fields().forEachRemaining(s -> {
          series(field, where, s.getKey());
          if (!s.getValue().isTextual() || s.getValue().asText().isBlank()) {
            throw new InvalidRequestException(field, where + "." + s.getKey()
                + " must be a recipe path (such as ~owner/project/+oci/image/+recipe/name) or URL");
          }
          bySeries.put(s.getKey(), s.getValue().asText().strip());
        });
        recipes.put(img.getKey(), bySeries);
      });
    }
    Template template = null;
    JsonNode t = root.path("template");
    if (!t.isMissingNode() && !t.isNull()) {
      object(field, "template", t);
      for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!List.of("owner", "project", "recipe", "images").contains(k)) {
          throw new InvalidRequestException(field, "unknown key 'template." + k
              + "' (expected owner, project, recipe, images)");
        }
      }
      String owner = text(field, "template.owner", t.path("owner"));
      String project = text(field, "template.project", t.path("project"));
      String recipe = text(field, "template.recipe", t.path("recipe"));
      if (owner.startsWith("~")) {
        owner = owner.substring(1);
      }
      Map<String, List<String>> images = new LinkedHashMap<>();
      JsonNode im = t.path("images");
      object(field, "template.images", im);
      im.fields().forEachRemaining(e -> {
        String where = "template.images." + e.getKey();
        if (!e.getValue().isArray()) {
          throw new InvalidRequestException(field, where + " must be a list of series such as [\"22.04\"]");
        }
        List<String> series = new ArrayList<>();
        e.getValue().forEach(v -> {
          if (!v.isTextual()) {
            throw new InvalidRequestException(field, where + " must list series as strings, not " + v);
          }
          series(field, where, v.asText());
          series.add(v.asText().strip());
        });
        images.put(e.getKey(), List.copyOf(series));
      });
      template = new Template(owner, project, recipe, images);
    }
    if (recipes.isEmpty() && (template == null || template.images().isEmpty())) {
      throw new InvalidRequestException(field, "catalog lists no image (give 'recipes' or 'template.images')");
    }
    return new Catalog(recipes, template, pushRules(field, root.path("push_rules")));
  }

  private static Map<String, List<PushRule>> pushRules(String field, JsonNode p) {
    Map<String, List<PushRule>> out = new LinkedHashMap<>();
    if (p.isMissingNode() || p.isNull()) {
      return out;
    }
    object(field, "push_rules", p);
    p.fields().forEachRemaining(e -> {
      String where = "push_rules." + e.getKey();
      if (!e.getValue().isArray() || e.getValue().isEmpty()) {
        throw new InvalidRequestException(field, where
            + " must be a non-empty list of {\"registry_url\": ..., \"image_name\": ...}");
      }
      List<PushRule> rules = new ArrayList<>();
      int i = 0;
      for (JsonNode r : e.getValue()) {
        String at = where + "[" + i++ + "]";
        object(field, at, r);
        rules.add(new PushRule(text(field, at + ".registry_url", r.path("registry_url")),
            text(field, at + ".image_name", r.path("image_name"))));
      }
      out.put(e.getKey(), List.copyOf(rules));
    });
    return out;
  }

  /** Every image, in catalog order. */
  public Set<String> images() {
    Set<String> all = new LinkedHashSet<>(recipes.keySet());
    if (template != null) {
      all.addAll(template.images().keySet());
    }
    return all;
  }

  /** Every (image, series) of an image, explicit entries first. */
  public List<Entry> entries(String image) {
    Map<Series, Entry> out = new LinkedHashMap<>();
    recipes.getOrDefault(image, Map.of()).forEach((k, v) -> out.putIfAbsent(Series.of(k), new Entry(image, Series.of(k), v)));
    if (template != null) {
      for (String k : template.images().getOrDefault(image, List.of())) {
        Series s = Series.of(k);
        if (out.keySet().stream().noneMatch(e -> same(e, s))) {
          out.put(s, new Entry(image, s, template.path(image, k)));
        }
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * The entries a request selects: every image when {@code images} is empty, every series of an
   * image when {@code series} is empty.
   *
   * @throws InvalidRequestException for an image not in the catalog, or a series no selected image has
   */
  public List<Entry> select(List<String> images, List<Series> series) {
    List<String> chosen = images.isEmpty() ? List.copyOf(images()) : images;
    for (String image : chosen) {
      if (!images().contains(image)) {
        throw new InvalidRequestException("images", "'" + image + "' is not in the Launchpad catalog (known: "
            + String.join(", ", images()) + ")");
      }
    }
    List<Entry> out = new ArrayList<>();
    for (Series wanted : series) {
      boolean found = chosen.stream().flatMap(i -> entries(i).stream()).anyMatch(e -> same(e.series(), wanted));
      if (!found) {
        Set<String> known = new LinkedHashSet<>();
        chosen.forEach(i -> entries(i).forEach(e -> known.add(e.seriesName())));
        throw new InvalidRequestException("series", "'" + wanted + "' is not in the Launchpad catalog for "
            + String.join(", ", chosen) + " (known: " + String.join(", ", known) + ")");
      }
    }
    for (String image : chosen) {
      for (Entry e : entries(image)) {
        if (series.isEmpty() || series.stream().anyMatch(s -> same(s, e.series()))) {
          out.add(e);
        }
      }
    }
    if (out.isEmpty()) {
      // An empty fan-out would be a build of nothing: refused here, before anything is submitted.
      throw new InvalidRequestException("images", "the Launchpad catalog holds no recipe to build"
          + (images.isEmpty() ? "" : " for " + String.join(", ", images)) + ": nothing would be requested");
    }
    return out;
  }

  /** Looks up one entry by image and series name, as a ticket records them. */
  public Optional<Entry> find(String image, String seriesName) {
    if (!images().contains(image)) {
      return Optional.empty();
    }
    Series s = Series.of(seriesName);
    return entries(image).stream().filter(e -> same(e.series(), s)).findFirst();
  }

  /** Same release, whether named by codename or version. */
  static boolean same(Series a, Series b) {
    return a.equals(b)
        || (a.version().isPresent() && a.version().equals(b.version()))
        || (a.codename().isPresent() && a.codename().equals(b.codename()));
  }

  private static void object(String field, String where, JsonNode n) {
    if (!n.isObject()) {
      throw new InvalidRequestException(field, where + " must be a JSON object");
    }
  }

  private static String text(String field, String where, JsonNode n) {
    if (!n.isTextual() || n.asText().isBlank()) {
      throw new InvalidRequestException(field, where + " is required (a non-empty string)");
    }
    return n.asText().strip();
  }

  private static void series(String field, String where, String key) {
    try {
      Series.of(key);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(field, where + ": '" + key
          + "' is not a series (give a version such as 22.04 or a codename such as jammy)");
    }
  }
}
