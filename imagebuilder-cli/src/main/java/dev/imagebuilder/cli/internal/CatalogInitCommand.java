package dev.imagebuilder.cli.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Series;
import dev.imagebuilder.launchpad.OciProjectSearch;
import dev.imagebuilder.core.internal.io.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code image-builder catalog init}: finds the OCI projects of a Launchpad distribution
 * ({@code searchOCIProjects}) and writes a catalog whose template names each project's recipe
 * for each series ({@code ~<owner>/<project>/+oci/<image>/+recipe/<recipe pattern>}).
 */
@Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Write a catalog from the OCI projects Launchpad knows and a recipe naming template.",
    description = "Asks Launchpad for the OCI projects of a distribution (searchOCIProjects), and writes a "
        + "catalog whose template maps each of them, for each series, to the recipe "
        + "~OWNER/PROJECT/+oci/IMAGE/+recipe/RECIPE (docs/launchpad.md). Check it with "
        + "'image-builder --dry-run'. An existing file is kept unless --force.")
final class CatalogInitCommand implements Callable<Integer> {
  @ParentCommand CatalogCommand parent;

  @Option(names = "--owner", required = true, paramLabel = "NAME",
      description = "The person or team owning the recipes (such as ubuntu-docker-images).")
  String owner;

  @Option(names = "--distribution", paramLabel = "NAME", defaultValue = "ubuntu",
      description = "The distribution whose OCI projects are searched (default ${DEFAULT-VALUE}).")
  String distribution;

  @Option(names = "--text", paramLabel = "TEXT",
      description = "Only OCI projects whose name contains TEXT.")
  String text;

  @Option(names = "--image", paramLabel = "NAME",
      description = "Only this OCI project (repeatable, or comma-separated).")
  List<String> images = new ArrayList<>();

  @Option(names = "--project", paramLabel = "NAME",
      description = "The pillar in the recipe path (default: the distribution).")
  String project;

  @Option(names = "--recipe", paramLabel = "PATTERN", defaultValue = "{image}-{series}",
      description = "The recipe name pattern: {image}, {series}, {version}, {codename} (default ${DEFAULT-VALUE}).")
  String recipe;

  @Option(names = "--series", paramLabel = "MM.YY", defaultValue = "20.04,22.04,24.04",
      description = "The series each image is built for (comma-separated; default ${DEFAULT-VALUE}).")
  List<String> series = new ArrayList<>();

  @Option(names = "--output", paramLabel = "FILE",
      description = "Where to write the catalog ('-': stdout). Default: "
          + "$${XDG_CONFIG_HOME:-$HOME/.config}/image-builder/catalog.json, which runs read by default.")
  String output;

  @Option(names = "--force", description = "Replace an existing catalog file.")
  boolean force;

  @Option(names = "--launchpad", paramLabel = "production|staging|URL",
      description = "Launchpad instance: production (default), staging, or an API root URL.")
  String launchpad;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "launchpadlib credentials file (default: the one 'image-builder login' wrote, "
          + "when it exists; else anonymous).")
  Path credentials;

  @Option(names = "--debug", description = "Show stack traces on errors.")
  boolean debug;

  @Override
  public Integer call() {
    Invocation invocation = parent.root().invocation();
    if (launchpad != null && launchpad.strip().equalsIgnoreCase(Engine.DEMO)) {
      throw new UsageException("--launchpad: the demo brings its own catalog; use '" + Cli.NAME
          + " fakes' for a fake Launchpad to try this against");
    }
    checkName("--owner", owner);
    checkName("--distribution", distribution);
    String pillar = project == null ? distribution : project;
    checkName("--project", pillar);
    if (recipe.isBlank() || !recipe.contains("{image}") && !recipe.contains("{series}")
        && !recipe.contains("{version}") && !recipe.contains("{codename}")) {
      throw new UsageException("--recipe: '" + recipe + "' names no {image}, {series}, {version} or {codename}:"
          + " every image and series would share one recipe");
    }
    List<String> seriesList = RootCommand.values("--series", series, "a series such as 22.04");
    for (String s : seriesList) {
      try {
        Series.of(s);
      } catch (InvalidRequestException e) {
        throw new UsageException("--series: " + RootCommand.detail(e));
      }
    }
    List<String> wanted = RootCommand.values("--image", images, "an OCI project name");
    Path target = output == null || output.equals("-") ? UserDirectories.defaultCatalog(invocation) : Path.of(output);
    boolean toStdout = "-".equals(output);
    if (!toStdout && Files.exists(target) && !force) {
      throw new UsageException("--output: '" + target + "' exists; add --force to replace it");
    }
    Path creds = credentials;
    if (creds == null && Files.isRegularFile(Engine.defaultCredentialsFile(invocation))) {
      creds = Engine.defaultCredentialsFile(invocation);
    }
    if (creds != null && !Files.isReadable(creds)) {
      throw new CredentialsException("--credentials: cannot read '" + creds + "'");
    }
    String root = launchpad == null ? "production" : Engine.serviceRoot(launchpad);
    List<OciProjectSearch.OciProject> found;
    try {
      found = new OciProjectSearch(root, creds).search(distribution, text == null ? "" : text);
    } catch (InvalidRequestException e) {
      throw new UsageException("--" + e.field().replace("service-root", "launchpad").replace("webRoot", "launchpad")
          + ": " + RootCommand.detail(e));
    }
    List<String> names = new ArrayList<>();
    for (OciProjectSearch.OciProject p : found) {
      if ((wanted.isEmpty() || wanted.contains(p.name())) && !names.contains(p.name())) {
        names.add(p.name());
      }
    }
    List<String> missing = wanted.stream().filter(w -> !names.contains(w)).toList();
    if (!missing.isEmpty()) {
      throw new UsageException("--image: " + String.join(", ", missing) + " is not an OCI project of '"
          + distribution + "'" + (text == null ? "" : " matching '" + text + "'"));
    }
    if (names.isEmpty()) {
      throw new UsageException("--distribution: '" + distribution + "' has no OCI project"
          + (text == null ? "" : " matching '" + text + "'") + ": nothing to write");
    }
    String json = Json.pretty(catalog(pillar, names, seriesList)) + "\n";
    if (toStdout) {
      invocation.out().print(json);
      invocation.out().flush();
      return ExitCode.OK;
    }
    write(target, json);
    invocation.out().println(Text.clean("Found " + names.size() + " OCI project" + (names.size() == 1 ? "" : "s")
        + " of " + distribution + ": " + String.join(", ", names)));
    invocation.out().println(Text.clean("Catalog written to " + target + " (" + names.size() + " images x "
        + seriesList.size() + " series, recipes ~" + owner + "/" + pillar + "/+oci/{image}/+recipe/" + recipe + ")."));
    invocation.out().println("Check it, reading the recipes and submitting nothing, with: " + Cli.NAME + " --dry-run"
        + (target.equals(UserDirectories.defaultCatalog(invocation)) ? "" : " --catalog " + Text.clean(target.toString())));
    return ExitCode.OK;
  }

  private ObjectNode catalog(String pillar, List<String> names, List<String> seriesList) {
    ObjectNode doc = Json.object();
    ObjectNode template = doc.putObject("template");
    template.put("owner", owner);
    template.put("project", pillar);
    template.put("recipe", recipe);
    ObjectNode imageMap = template.putObject("images");
    for (String name : names) {
      ArrayNode list = imageMap.putArray(name);
      seriesList.forEach(list::add);
    }
    return doc;
  }

  private static void write(Path target, String json) {
    try {
      DurableFiles.replace(target, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UsageException("--output: cannot write '" + target + "': " + e.getMessage());
    }
  }

  private static void checkName(String option, String value) {
    if (value == null || !value.matches("[a-z0-9][a-z0-9+.-]*")) {
      throw new UsageException(option + ": '" + value + "' is not a Launchpad name (lower-case letters, digits, + . -)");
    }
  }
}
