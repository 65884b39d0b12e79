package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Everything the fake Launchpad knows, behind one lock: the entities ({@link Directory}), the
 * build farm ({@link BuildFarm}) and how uploads end ({@link RegistryUploads}). Every state change
 * happens under this object's lock; before answering, the dispatcher calls {@link #settle()} so
 * the farm catches up with its clock (no background thread, even in real time). Readers of
 * entities ({@link Recipe}, {@link Build}, ...) hold the same lock.
 */
public final class World {
  private final FarmClock clock;
  private final String user;
  private final Directory directory;
  private final RegistryUploads uploads = new RegistryUploads();
  private final BuildFarm farm;
  private final List<Runnable> recipeListeners = new CopyOnWriteArrayList<>();

  public World(FarmClock clock, Duration phase, String user) {
    this.clock = clock;
    this.user = user;
    this.directory = new Directory(clock, user);
    this.farm = new BuildFarm(clock, phase, directory, uploads);
  }

  public FarmClock clock() { return clock; }
  public Duration phase() { return farm.phase(); }
  public String user() { return user; }

  public void onRecipesChanged(Runnable listener) { recipeListeners.add(listener); }

  /**
   * Pushes each upload (called under the world's lock, before the build shows Uploaded, as
   * Launchpad's upload job pushes before it records success); returns an error text to make the
   * upload fail, or {@code null}.
   */
  public void onUpload(Function<RegistryUpload, String> pusher) {
    uploads.onUpload(pusher);
  }

  /** Webhook events: {@code action} is "created" or "status-changed" (launchpad-webhooks.md §1). */
  void onBuildChanged(BiConsumer<Build, String> listener) { farm.onBuildChanged(listener); }

  // ---- set-up by tests -------------------------------------------------------------------

  public synchronized void addPerson(String name, boolean team, boolean userIsMember) {
    directory.addPerson(name, team, userIsMember);
  }

  public synchronized void addProject(String name) {
    directory.addProject(name);
  }

  public synchronized void addOciProject(String pillar, String name) {
    directory.addOciProject(pillar, name);
  }

  public String addRecipe(String owner, String pillar, String ociProject, String name, String series) {
    String path;
    synchronized (this) {
      path = directory.addRecipe(owner, pillar, ociProject, name, series);
    }
    recipeListeners.forEach(Runnable::run);
    return path;
  }

  public synchronized Map<String, String> recipeSeries() {
    return directory.recipeSeries();
  }

  public synchronized String recipeImage(String path) {
    return directory.recipe(path).ociProject.name();
  }

  public synchronized void setProcessorsDirectly(String recipePath, List<String> names) {
    directory.setProcessorsDirectly(recipePath, names);
  }

  public synchronized List<String> recipeProcessors(String recipePath) {
    return List.copyOf(directory.recipe(recipePath).processors);
  }

  public synchronized int addPushRule(String recipePath, String registryUrl, String imageName, String username) {
    return directory.addPushRule(recipePath, registryUrl, imageName, username);
  }

  public synchronized void removePushRules(String recipePath) {
    directory.removePushRules(recipePath);
  }

  /** The next {@code times} build request jobs of the recipe fail with {@code errorMessage}. */
  public synchronized void failBuildRequests(String recipePath, int times, String errorMessage) {
    directory.failBuildRequests(recipePath, times, errorMessage);
  }

  public synchronized Outcome outcome(String recipePath, String arch) {
    return directory.outcome(recipePath, arch);
  }

  /** A snapshot of one build for assertions: path, arch, buildstate, registry upload status. */
  public record BuildView(String path, String arch, String buildstate, String registryUploadStatus, int requestId) {}

  public synchronized List<BuildView> builds(String recipePath) {
    farm.settle();
    return directory.recipe(recipePath).builds.stream()
        .map(b -> new BuildView(b.path(), b.arch, b.buildstate, b.registryUploadStatus,
            b.request == null ? -1 : b.request.id))
        .toList();
  }

  public synchronized List<String> buildRequestStatuses(String recipePath) {
    farm.settle();
    return directory.recipe(recipePath).requests.stream().map(r -> r.status).toList();
  }

  // ---- lookups by the dispatcher -----------------------------------------------------------

  synchronized Optional<Recipe> findRecipe(String path) { return directory.findRecipe(path); }
  synchronized Optional<Person> person(String name) { return directory.person(name); }
  synchronized Optional<OciProject> ociProject(String path) { return directory.ociProject(path); }
  synchronized List<OciProject> ociProjects() { return directory.ociProjects(); }
  synchronized Optional<Processor> processor(String name) { return directory.processor(name); }
  synchronized Collection<Processor> processors() { return directory.processors(); }
  synchronized Optional<BuildRequest> buildRequest(Recipe recipe, int id) { return farm.buildRequest(recipe, id); }
  synchronized Optional<Build> build(Recipe recipe, int id) { return farm.build(recipe, id); }
  synchronized Optional<PushRule> pushRule(Recipe recipe, int id) { return directory.pushRule(recipe, id); }

  // ---- operations --------------------------------------------------------------------------

  synchronized boolean canEdit(Recipe recipe, String personName) {
    return directory.canEdit(recipe, personName);
  }

  synchronized BuildRequest requestBuilds(Recipe recipe) {
    return farm.requestBuilds(recipe);
  }

  synchronized void setProcessors(Recipe recipe, List<String> names) {
    farm.settle();
    directory.setProcessors(recipe, names);
  }

  synchronized int newPushRule(Recipe recipe, String registryUrl, String imageName, String username) {
    return directory.newPushRule(recipe, registryUrl, imageName, username);
  }

  synchronized void deletePushRule(Recipe recipe, PushRule rule) {
    directory.deletePushRule(recipe, rule);
  }

  synchronized void cancel(Build build) {
    farm.cancel(build);
  }

  synchronized void retry(Build build) {
    farm.retry(build);
  }

  synchronized void scheduleRegistryUpload(Build build) {
    farm.scheduleRegistryUpload(build);
  }

  /** Applies every farm event due by the clock's now (see {@link BuildFarm#settle()}). */
  public synchronized void settle() {
    farm.settle();
  }
}
