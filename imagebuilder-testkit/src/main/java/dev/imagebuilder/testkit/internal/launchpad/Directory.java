package dev.imagebuilder.testkit.internal.launchpad;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fake Launchpad's entities and their lookups: processors, people and teams, projects, OCI
 * projects, recipes and their push rules, with Launchpad's name rule, and the one id sequence
 * Launchpad numbers push rules, build requests and builds from. Not thread-safe: the
 * {@link World} calls it under its lock.
 */
final class Directory {
  /** Launchpad's name rule (lowercase letters, digits, "+", "-", "."; starting alphanumeric). */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]*");

  private final FarmClock clock;
  private final String user;
  private final Map<String, Processor> processors = new LinkedHashMap<>();
  private final Map<String, Person> people = new LinkedHashMap<>();
  private final Set<String> projects = new LinkedHashSet<>();
  private final Map<String, OciProject> ociProjects = new LinkedHashMap<>();
  private final Map<String, Recipe> recipes = new LinkedHashMap<>();
  private final Map<Integer, PushRule> pushRulesById = new HashMap<>();
  private int nextId = 1000;

  Directory(FarmClock clock, String user) {
    this.clock = clock;
    this.user = user;
    addProcessor("amd64", "AMD x86-64", true);
    addProcessor("arm64", "ARMv8", true);
    addProcessor("armhf", "ARMv7 Hard Float", true);
    addProcessor("i386", "Intel 386", false);
    addProcessor("ppc64el", "POWER8 Little-Endian", true);
    addProcessor("s390x", "IBM System z", true);
    addProcessor("riscv64", "RISC-V 64-bit", false);
    people.put(user, new Person(user, "Image builder bot", false, Set.of()));
  }

  private void addProcessor(String name, String title, boolean byDefault) {
    processors.put(name, new Processor(name, title, title + " (" + name + ")", false, byDefault));
  }

  /** The next id of Launchpad's one sequence (push rules, build requests, builds). */
  int nextId() {
    return nextId++;
  }

  // ---- set-up ------------------------------------------------------------------------------

  private static String checkName(String field, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " is not a valid Launchpad name: " + value);
    }
    return value;
  }

  void addPerson(String name, boolean team, boolean userIsMember) {
    checkName("person name", name);
    people.putIfAbsent(name, new Person(name, displayName(name), team, userIsMember ? Set.of(user) : Set.of()));
  }

  void addProject(String name) {
    checkName("project name", name);
    projects.add(name);
  }

  void addOciProject(String pillar, String name) {
    checkName("OCI project name", name);
    if (!projects.contains(pillar)) {
      throw new IllegalArgumentException("no such project: " + pillar + " (addProject first)");
    }
    ociProjects.putIfAbsent(pillar + "/+oci/" + name, new OciProject(pillar, name, user, clock.now()));
  }

  /** Adds a recipe (and a missing owner, project, OCI project) building the default processors; returns its path. */
  String addRecipe(String owner, String pillar, String ociProject, String name, String series) {
    checkName("owner", owner);
    checkName("project", pillar);
    checkName("OCI project", ociProject);
    checkName("recipe name", name);
    if (series != null && !series.matches("\\d{2}\\.\\d{2}")) {
      throw new IllegalArgumentException("series must look like 22.04: " + series);
    }
    if (!people.containsKey(owner)) {
      addPerson(owner, true, true);
    }
    if (!projects.contains(pillar)) {
      addProject(pillar);
    }
    addOciProject(pillar, ociProject);
    Recipe recipe = new Recipe(owner, ociProjects.get(pillar + "/+oci/" + ociProject), name, series, clock.now());
    if (recipes.containsKey(recipe.path())) {
      throw new IllegalArgumentException("recipe exists: " + recipe.path());
    }
    processors.values().stream().filter(Processor::buildByDefault).map(Processor::name)
        .forEach(recipe.processors::add);
    recipes.put(recipe.path(), recipe);
    return recipe.path();
  }

  Map<String, String> recipeSeries() {
    Map<String, String> out = new LinkedHashMap<>();
    recipes.forEach((path, r) -> out.put(path, r.series));
    return out;
  }

  /** Sets a recipe's processors from a test, refusing unknown names. */
  void setProcessorsDirectly(String recipePath, List<String> names) {
    Recipe recipe = recipe(recipePath);
    for (String n : names) {
      if (!processors.containsKey(n)) {
        throw new IllegalArgumentException("unknown processor: " + n + " (known: " + processors.keySet() + ")");
      }
    }
    setProcessors(recipe, names);
  }

  /** Sets a recipe's processors, in the order of the processor list (names already checked). */
  void setProcessors(Recipe recipe, List<String> names) {
    recipe.processors.clear();
    processors.keySet().stream().filter(names::contains).forEach(recipe.processors::add);
  }

  int addPushRule(String recipePath, String registryUrl, String imageName, String username) {
    Recipe recipe = recipe(recipePath);
    int id = nextId();
    PushRule rule = new PushRule(id, registryUrl, imageName, username);
    recipe.pushRules.add(rule);
    pushRulesById.put(id, rule);
    return id;
  }

  /** {@code newPushRule}: as {@link #addPushRule}, refusing a duplicate as Launchpad does. */
  int newPushRule(Recipe recipe, String registryUrl, String imageName, String username) {
    for (PushRule rule : recipe.pushRules) {
      if (rule.registryUrl().equals(registryUrl) && rule.imageName().equals(imageName)) {
        throw new ApiError(409, "A push rule already exists with the same URL, image name, and credentials.");
      }
    }
    return addPushRule(recipe.path(), registryUrl, imageName, username);
  }

  void deletePushRule(Recipe recipe, PushRule rule) {
    recipe.pushRules.remove(rule);
    pushRulesById.remove(rule.id());
  }

  void removePushRules(String recipePath) {
    recipe(recipePath).pushRules.clear();
  }

  /** The scripted outcome of the recipe's builds on {@code arch}. */
  Outcome outcome(String recipePath, String arch) {
    if (!processors.containsKey(arch)) {
      throw new IllegalArgumentException("unknown architecture: " + arch + " (known: " + processors.keySet() + ")");
    }
    return recipe(recipePath).outcome(arch);
  }

  /** The next {@code times} build request jobs of the recipe fail with {@code errorMessage}. */
  void failBuildRequests(String recipePath, int times, String errorMessage) {
    Recipe recipe = recipe(recipePath);
    recipe.requestFailures = times;
    recipe.requestFailure = errorMessage;
  }

  // ---- lookups -----------------------------------------------------------------------------

  /** The recipe at {@code path}; a test naming one that does not exist gets an IllegalArgumentException. */
  Recipe recipe(String path) {
    Recipe recipe = recipes.get(path);
    if (recipe == null) {
      throw new IllegalArgumentException("no such recipe: " + path);
    }
    return recipe;
  }

  Optional<Recipe> findRecipe(String path) { return Optional.ofNullable(recipes.get(path)); }
  Optional<Person> person(String name) { return Optional.ofNullable(people.get(name)); }
  Optional<OciProject> ociProject(String path) { return Optional.ofNullable(ociProjects.get(path)); }
  List<OciProject> ociProjects() { return List.copyOf(ociProjects.values()); }
  Optional<Processor> processor(String name) { return Optional.ofNullable(processors.get(name)); }
  Collection<Processor> processors() { return List.copyOf(processors.values()); }

  Optional<PushRule> pushRule(Recipe recipe, int id) {
    return recipe.pushRules.stream().filter(r -> r.id() == id).findFirst();
  }

  /** Whether {@code personName} may change the recipe: its owner is that person or a team with them in it. */
  boolean canEdit(Recipe recipe, String personName) {
    Person owner = people.get(recipe.owner);
    return owner != null && owner.includes(personName);
  }

  private static String displayName(String name) {
    String spaced = name.replace('-', ' ');
    return Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
  }
}
