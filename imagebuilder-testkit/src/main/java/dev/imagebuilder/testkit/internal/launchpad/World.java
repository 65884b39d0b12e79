package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything the fake Launchpad knows, and its build farm. Every state change happens under this
 * object's lock; before answering, the dispatcher calls {@link #settle()} so the farm catches up
 * with its clock (no background thread, even in real time).
 *
 * <p>Each state lasts one phase: a request's job runs one phase after requestBuilds, then a build
 * goes Needs building, Currently building, Gathering build output, Uploading build, Successfully
 * built, one phase each, and a registry upload stays Pending for one phase. Events due at the same
 * instant apply in order of creation, request jobs first: a job sees builds created one phase
 * earlier still Needs building.
 */
public final class World {
  static final String ALREADY_PENDING = "An identical build of this OCI recipe is already pending.";

  private final FarmClock clock;
  private final Duration phase;
  private final Map<String, Processor> processors = new LinkedHashMap<>();
  private final Map<String, Person> people = new LinkedHashMap<>();
  private final Set<String> projects = new LinkedHashSet<>();
  private final Map<String, OciProject> ociProjects = new LinkedHashMap<>();
  private final Map<String, Recipe> recipes = new LinkedHashMap<>();
  private final List<BuildRequest> requests = new ArrayList<>();
  private final List<Build> builds = new ArrayList<>();
  private final Map<Integer, PushRule> pushRulesById = new HashMap<>();
  private final List<Runnable> recipeListeners = new CopyOnWriteArrayList<>();
  /** Told, under this lock, when a build is created or its status or upload status changes. */
  private volatile java.util.function.BiConsumer<Build, String> buildListener = (b, action) -> { };
  private int nextId = 1000;
  private final String user;

  public World(FarmClock clock, Duration phase, String user) {
    if (phase.isNegative() || phase.isZero()) {
      throw new IllegalArgumentException("phase duration must be positive: " + phase);
    }
    this.clock = clock;
    this.phase = phase;
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

  public FarmClock clock() { return clock; }
  public Duration phase() { return phase; }
  public String user() { return user; }

  public void onRecipesChanged(Runnable listener) { recipeListeners.add(listener); }

  /**
   * A build's registry upload completed: what Launchpad then pushes. {@code requestArches} lists
   * the architectures of the build request when this was its last build to be uploaded (the
   * manifest list is due), else it is empty.
   */
  public record Upload(String recipePath, String branch, List<String[]> pushRules, String arch, int requestId,
      List<String> requestArches) {}

  private volatile java.util.function.Function<Upload, String> uploader;

  /**
   * Pushes each upload (called under the world's lock, before the build shows Uploaded, as
   * Launchpad's upload job pushes before it records success); returns an error text to make the
   * upload fail, or {@code null}.
   */
  public void onUpload(java.util.function.Function<Upload, String> pusher) { this.uploader = pusher; }

  /** Webhook events: {@code action} is "created" or "status-changed" (launchpad-webhooks.md §1). */
  void onBuildChanged(java.util.function.BiConsumer<Build, String> listener) { buildListener = listener; }

  private void changed(Build b, String state, String upload) {
    if (!b.buildstate.equals(state) || !b.registryUploadStatus.equals(upload)) {
      buildListener.accept(b, "status-changed");
    }
  }

  // ---- set-up by tests -------------------------------------------------------------------

  /** Launchpad's name rule (lowercase letters, digits, "+", "-", "."; starting alphanumeric). */
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9+.-]*");

  private static String checkName(String field, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " is not a valid Launchpad name: " + value);
    }
    return value;
  }

  public synchronized void addPerson(String name, boolean team, boolean userIsMember) {
    checkName("person name", name);
    people.putIfAbsent(name, new Person(name, displayName(name), team, userIsMember ? Set.of(user) : Set.of()));
  }

  public synchronized void addProject(String name) {
    checkName("project name", name);
    projects.add(name);
  }

  public synchronized void addOciProject(String pillar, String name) {
    checkName("OCI project name", name);
    if (!projects.contains(pillar)) {
      throw new IllegalArgumentException("no such project: " + pillar + " (addProject first)");
    }
    ociProjects.putIfAbsent(pillar + "/+oci/" + name, new OciProject(pillar, name, user, clock.now()));
  }

  public String addRecipe(String owner, String pillar, String ociProject, String name, String series) {
    String path;
    synchronized (this) {
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
      path = recipe.path();
    }
    recipeListeners.forEach(Runnable::run);
    return path;
  }

  public synchronized Map<String, String> recipeSeries() {
    Map<String, String> out = new LinkedHashMap<>();
    recipes.forEach((path, r) -> out.put(path, r.series));
    return out;
  }

  public synchronized String recipeImage(String path) {
    return recipe(path).ociProject.name();
  }

  public synchronized void setProcessorsDirectly(String recipePath, List<String> names) {
    Recipe recipe = recipe(recipePath);
    for (String n : names) {
      if (!processors.containsKey(n)) {
        throw new IllegalArgumentException("unknown processor: " + n + " (known: " + processors.keySet() + ")");
      }
    }
    recipe.processors.clear();
    processors.keySet().stream().filter(names::contains).forEach(recipe.processors::add);
  }

  public synchronized List<String> recipeProcessors(String recipePath) {
    return List.copyOf(recipe(recipePath).processors);
  }

  public synchronized int addPushRule(String recipePath, String registryUrl, String imageName, String username) {
    Recipe recipe = recipe(recipePath);
    int id = nextId++;
    PushRule rule = new PushRule(id, registryUrl, imageName, username);
    recipe.pushRules.add(rule);
    pushRulesById.put(id, rule);
    return id;
  }

  public synchronized void removePushRules(String recipePath) {
    recipe(recipePath).pushRules.clear();
  }

  /** The next {@code times} build request jobs of the recipe fail with {@code errorMessage}. */
  public synchronized void failBuildRequests(String recipePath, int times, String errorMessage) {
    Recipe recipe = recipe(recipePath);
    recipe.requestFailures = times;
    recipe.requestFailure = errorMessage;
  }

  public synchronized Outcome outcome(String recipePath, String arch) {
    if (!processors.containsKey(arch)) {
      throw new IllegalArgumentException("unknown architecture: " + arch + " (known: " + processors.keySet() + ")");
    }
    return recipe(recipePath).outcome(arch);
  }

  /** A snapshot of one build for assertions: path, arch, buildstate, registry upload status. */
  public record BuildView(String path, String arch, String buildstate, String registryUploadStatus, int requestId) {}

  public synchronized List<BuildView> builds(String recipePath) {
    settle();
    return recipe(recipePath).builds.stream()
        .map(b -> new BuildView(b.path(), b.arch, b.buildstate, b.registryUploadStatus,
            b.request == null ? -1 : b.request.id))
        .toList();
  }

  public synchronized List<String> buildRequestStatuses(String recipePath) {
    settle();
    return recipe(recipePath).requests.stream().map(r -> r.status).toList();
  }

  // ---- lookups by the dispatcher -----------------------------------------------------------

  synchronized Optional<Recipe> findRecipe(String path) { return Optional.ofNullable(recipes.get(path)); }
  synchronized Optional<Person> person(String name) { return Optional.ofNullable(people.get(name)); }
  synchronized Optional<OciProject> ociProject(String path) { return Optional.ofNullable(ociProjects.get(path)); }

  synchronized List<OciProject> ociProjects() { return List.copyOf(ociProjects.values()); }
  synchronized Optional<Processor> processor(String name) { return Optional.ofNullable(processors.get(name)); }
  synchronized Collection<Processor> processors() { return List.copyOf(processors.values()); }

  synchronized Optional<BuildRequest> buildRequest(Recipe recipe, int id) {
    return recipe.requests.stream().filter(r -> r.id == id).findFirst();
  }

  synchronized Optional<Build> build(Recipe recipe, int id) {
    return recipe.builds.stream().filter(b -> b.id == id).findFirst();
  }

  synchronized Optional<PushRule> pushRule(Recipe recipe, int id) {
    return recipe.pushRules.stream().filter(r -> r.id() == id).findFirst();
  }

  private Recipe recipe(String path) {
    Recipe recipe = recipes.get(path);
    if (recipe == null) {
      throw new IllegalArgumentException("no such recipe: " + path);
    }
    return recipe;
  }

  // ---- operations --------------------------------------------------------------------------

  synchronized boolean canEdit(Recipe recipe, String personName) {
    Person owner = people.get(recipe.owner);
    return owner != null && owner.includes(personName);
  }

  synchronized BuildRequest requestBuilds(Recipe recipe) {
    settle();
    Instant now = clock.now();
    BuildRequest request = new BuildRequest(nextId++, recipe, now, now.plus(phase));
    recipe.requests.add(request);
    requests.add(request);
    return request;
  }

  synchronized void setProcessors(Recipe recipe, List<String> names) {
    settle();
    recipe.processors.clear();
    processors.keySet().stream().filter(names::contains).forEach(recipe.processors::add);
  }

  synchronized int newPushRule(Recipe recipe, String registryUrl, String imageName, String username) {
    for (PushRule rule : recipe.pushRules) {
      if (rule.registryUrl().equals(registryUrl) && rule.imageName().equals(imageName)) {
        throw new ApiError(409, "A push rule already exists with the same URL, image name, and credentials.");
      }
    }
    return addPushRule(recipe.path(), registryUrl, imageName, username);
  }

  synchronized void deletePushRule(Recipe recipe, PushRule rule) {
    recipe.pushRules.remove(rule);
    pushRulesById.remove(rule.id());
  }

  synchronized void cancel(Build build) {
    settle();
    String state = build.buildstate;
    String upload = build.registryUploadStatus;
    try {
      cancelNow(build);
    } finally {
      changed(build, state, upload);
    }
  }

  private void cancelNow(Build build) {
    Instant now = clock.now();
    if (!build.canBeCancelled()) {
      return; // Launchpad: a silent no-op
    }
    if (build.recipe.outcome(build.arch).takeCancelRace()) {
      // The builder finishes before the cancel lands: the build ends Successfully built anyway.
      build.finishDespiteCancel = true;
      build.buildstate = CANCELLING_STATE;
      build.nextAt = now.plus(phase);
      return;
    }
    if (build.buildstate.equals(Build.NEEDS_BUILDING)) {
      build.buildstate = Build.CANCELLED;
      build.dateBuilt = now;
      build.nextAt = null;
    } else {
      build.buildstate = CANCELLING_STATE;
      build.nextAt = now.plus(phase);
    }
  }

  private static final String CANCELLING_STATE = Build.CANCELLING;

  synchronized void retry(Build build) {
    settle();
    if (!build.canBeRetried()) {
      throw ApiError.badRequest("Build " + build.id + " cannot be retried");
    }
    build.buildstate = Build.NEEDS_BUILDING;
    build.dateStarted = null;
    build.dateBuilt = null;
    build.buildLogUrlPath = null;
    build.dependencies = null;
    build.registryUploadStatus = Build.UPLOAD_UNSCHEDULED;
    build.registryUploadErrorSummary = null;
    build.registryUploadErrors = List.of();
    build.finishDespiteCancel = false;
    build.extraPhases = build.recipe.outcome(build.arch).takeDispatchWait();
    build.nextAt = clock.now().plus(phase);
    buildListener.accept(build, "status-changed");
  }

  synchronized void scheduleRegistryUpload(Build build) {
    settle();
    if (build.recipe.pushRules.isEmpty()) {
      throw ApiError.badRequest(
          "Cannot upload this build to registries because the recipe is not properly configured.");
    }
    boolean hasFiles = build.buildstate.equals(Build.BUILT) || build.buildstate.equals(Build.SUPERSEDED);
    if (!hasFiles) {
      throw ApiError.badRequest("Cannot upload this build because it has no files.");
    }
    switch (build.registryUploadStatus) {
      case Build.UPLOAD_PENDING -> throw ApiError.badRequest("An upload of this build is already in progress.");
      case Build.UPLOAD_DONE -> throw ApiError.badRequest(
          "Cannot upload this build because it has already been uploaded.");
      case Build.UPLOAD_SUPERSEDED -> { } // accepted, but the job has nothing to do
      default -> {
        startUpload(build, clock.now());
        buildListener.accept(build, "status-changed");
      }
    }
  }

  // ---- the build farm --------------------------------------------------------------------

  /**
   * Applies every farm event due by the clock's now, in time order: all events of the earliest due
   * instant (request jobs, then builds, each in creation order), then the next instant. A step
   * never schedules anything at its own instant, so each pass is one scan.
   */
  public synchronized void settle() {
    Instant now = clock.now();
    while (true) {
      Instant at = null;
      for (BuildRequest r : requests) {
        if (r.jobAt != null && !r.jobAt.isAfter(now) && (at == null || r.jobAt.isBefore(at))) {
          at = r.jobAt;
        }
      }
      for (Build b : builds) {
        if (b.nextAt != null && !b.nextAt.isAfter(now) && (at == null || b.nextAt.isBefore(at))) {
          at = b.nextAt;
        }
      }
      if (at == null) {
        return;
      }
      List<BuildRequest> dueRequests = new ArrayList<>();
      for (BuildRequest r : requests) {
        if (at.equals(r.jobAt)) {
          dueRequests.add(r);
        }
      }
      List<Build> dueBuilds = new ArrayList<>();
      for (Build b : builds) {
        if (at.equals(b.nextAt)) {
          dueBuilds.add(b);
        }
      }
      dueRequests.forEach(this::runRequestJob);
      dueBuilds.forEach(this::step);
    }
  }

  private void runRequestJob(BuildRequest request) {
    Instant at = request.jobAt;
    request.jobAt = null;
    request.dateFinished = at;
    Recipe recipe = request.recipe;
    if (recipe.requestFailures > 0) {
      recipe.requestFailures--;
      request.status = "Failed";
      request.errorMessage = recipe.requestFailure;
      return;
    }
    int skipped = 0;
    for (String arch : recipe.processors) {
      boolean pending = recipe.builds.stream()
          .anyMatch(b -> b.arch.equals(arch) && b.buildstate.equals(Build.NEEDS_BUILDING));
      if (pending) {
        skipped++;
        continue;
      }
      Build build = new Build(nextId++, recipe, request, arch, at);
      build.extraPhases = recipe.outcome(arch).takeDispatchWait();
      build.nextAt = at.plus(phase);
      recipe.builds.add(build);
      request.builds.add(build);
      builds.add(build);
      buildListener.accept(build, "created");
    }
    if (request.builds.isEmpty() && skipped > 0) {
      request.status = "Failed";
      request.errorMessage = ALREADY_PENDING;
    } else {
      request.status = "Completed";
    }
  }

  private void step(Build b) {
    String state = b.buildstate;
    String upload = b.registryUploadStatus;
    stepNow(b);
    changed(b, state, upload);
  }

  private void stepNow(Build b) {
    Instant at = b.nextAt;
    b.nextAt = null;
    Outcome outcome = b.recipe.outcome(b.arch);
    if (b.extraPhases > 0 && (b.buildstate.equals(Build.NEEDS_BUILDING) || b.buildstate.equals(Build.BUILDING))) {
      b.extraPhases--; // a scripted slow dispatch or build
      b.nextAt = at.plus(phase);
      return;
    }
    switch (b.buildstate) {
      case Build.NEEDS_BUILDING -> {
        b.buildstate = Build.BUILDING;
        b.extraPhases = outcome.takeBuildWait();
        b.dateStarted = at;
        if (b.dateFirstDispatched == null) {
          b.dateFirstDispatched = at;
        }
        b.nextAt = at.plus(phase);
      }
      case Build.BUILDING -> {
        if (outcome.takeRemoteCancel()) {
          // Someone cancels it on Launchpad: Cancelling build for a phase, then Cancelled build.
          b.buildstate = Build.CANCELLING;
          b.nextAt = at.plus(phase);
        } else if (outcome.takeDependencyWait()) {
          finish(b, Build.DEPWAIT, at);
          b.dependencies = "libfake-dev (>= 2.0)";
        } else {
          b.buildstate = Build.GATHERING;
          b.nextAt = at.plus(phase);
        }
      }
      case Build.GATHERING -> {
        if (outcome.takeBuildFailure()) {
          finish(b, Build.FAILED, at);
        } else {
          b.buildstate = Build.UPLOADING;
          b.nextAt = at.plus(phase);
        }
      }
      case Build.UPLOADING -> succeed(b, at);
      case Build.CANCELLING -> {
        if (b.finishDespiteCancel) {
          b.finishDespiteCancel = false;
          if (b.dateStarted == null) {
            b.dateStarted = at.minus(phase);
            b.dateFirstDispatched = b.dateStarted;
          }
          succeed(b, at);
        } else {
          finish(b, Build.CANCELLED, at);
        }
      }
      case Build.BUILT -> finishUpload(b, outcome, at);
      default -> { }
    }
  }

  private void finish(Build b, String state, Instant at) {
    b.buildstate = state;
    b.dateBuilt = at;
    b.buildLogUrlPath = b.path() + "/+files/buildlog_oci_" + b.arch + "_" + b.id + ".txt.gz";
  }

  private void succeed(Build b, Instant at) {
    finish(b, Build.BUILT, at);
    if (!b.recipe.pushRules.isEmpty() && !b.recipe.outcome(b.arch).takeUnscheduledUpload()) {
      startUpload(b, at);
    }
  }

  private void startUpload(Build b, Instant at) {
    b.registryUploadStatus = Build.UPLOAD_PENDING;
    b.registryUploadErrorSummary = null;
    b.registryUploadErrors = List.of();
    b.nextAt = at.plus(phase);
  }

  private void finishUpload(Build b, Outcome outcome, Instant at) {
    if (!b.registryUploadStatus.equals(Build.UPLOAD_PENDING)) {
      return;
    }
    if (outcome.takeSupersession()) {
      b.registryUploadStatus = Build.UPLOAD_SUPERSEDED;
      b.buildstate = Build.SUPERSEDED;
    } else if (outcome.takeUploadFailure()) {
      b.registryUploadStatus = Build.UPLOAD_FAILED;
      String code;
      String message;
      synchronized (outcome) {
        code = outcome.uploadErrorCode;
        message = outcome.uploadErrorMessage;
      }
      b.registryUploadErrorSummary = "Upload of " + b.recipe.ociProject.name() + " for " + b.arch
          + " failed: " + message;
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", code);
      error.put("message", message);
      error.put("detail", null);
      b.registryUploadErrors = List.of(error);
    } else {
      String error = push(b);
      if (error == null) {
        b.registryUploadStatus = Build.UPLOAD_DONE;
      } else {
        b.registryUploadStatus = Build.UPLOAD_FAILED;
        b.registryUploadErrorSummary = "Upload of " + b.recipe.ociProject.name() + " for " + b.arch + " failed: " + error;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("code", "UNKNOWN");
        detail.put("message", error);
        detail.put("detail", null);
        b.registryUploadErrors = List.of(detail);
      }
    }
  }

  /** The registry push of an upload, when a pusher is set: the build's image, and the list after the last build. */
  private String push(Build b) {
    java.util.function.Function<Upload, String> p = uploader;
    if (p == null) {
      return null;
    }
    boolean last = b.request != null && b.request.builds.stream()
        .allMatch(x -> x == b || x.registryUploadStatus.equals(Build.UPLOAD_DONE));
    List<String> arches = last ? b.request.builds.stream().map(x -> x.arch).toList() : List.of();
    List<String[]> rules = b.recipe.pushRules.stream().map(r -> new String[] {r.registryUrl(), r.imageName()}).toList();
    return p.apply(new Upload(b.recipe.path(), b.recipe.branch(), rules, b.arch, b.request == null ? 0 : b.request.id, arches));
  }

  private static String displayName(String name) {
    String spaced = name.replace('-', ' ');
    return Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
  }
}
