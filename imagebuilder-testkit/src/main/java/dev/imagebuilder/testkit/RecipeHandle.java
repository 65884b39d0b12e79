package dev.imagebuilder.testkit;

import dev.imagebuilder.testkit.internal.launchpad.World;
import java.util.List;

/** An OCI recipe in a {@link FakeLaunchpad}, for setting it up and asserting on it. */
public final class RecipeHandle {
  private final FakeLaunchpad launchpad;
  private final World world;
  private final String path;
  private final String image;
  private final String series;

  RecipeHandle(FakeLaunchpad launchpad, World world, String path, String image, String series) {
    this.launchpad = launchpad;
    this.world = world;
    this.path = path;
    this.image = image;
    this.series = series;
  }

  /** The path below the service root: {@code ~owner/project/+oci/image/+recipe/name}. */
  public String path() { return path; }

  /** The absolute API URL as seen through {@link FakeLaunchpad#serviceRoot()}. */
  public String url() { return launchpad.serviceRoot() + path; }

  /** The image (OCI project) name. */
  public String image() { return image; }

  /** The Ubuntu series version this recipe builds for the catalog, or null. */
  public String series() { return series; }

  /** Sets the recipe's processors (architecture tags such as {@code amd64}); default: build-by-default ones. */
  public RecipeHandle processors(String... architectures) {
    world.setProcessorsDirectly(path, List.of(architectures));
    return this;
  }

  /** The recipe's processors now. */
  public List<String> processors() {
    return world.recipeProcessors(path);
  }

  /** Adds a registry push rule, so successful builds are uploaded. */
  public RecipeHandle pushRule(String registryUrl, String imageName, String username) {
    world.addPushRule(path, registryUrl, imageName, username);
    return this;
  }

  /** Removes every push rule: builds then stay "Unscheduled" and scheduleRegistryUpload fails. */
  public RecipeHandle noPushRules() {
    world.removePushRules(path);
    return this;
  }

  /**
   * The jobs of the next {@code times} build requests of this recipe fail with
   * {@code errorMessage} (status "Failed", no builds), as Launchpad reports for example "An
   * identical build of this OCI recipe is already pending."
   */
  public RecipeHandle buildRequestsFail(int times, String errorMessage) {
    if (times < 0) {
      throw new IllegalArgumentException("times must not be negative: " + times);
    }
    world.failBuildRequests(path, times, java.util.Objects.requireNonNull(errorMessage, "errorMessage"));
    return this;
  }

  /** The builds of this recipe, oldest first. */
  public List<FakeBuild> builds() {
    return launchpad.builds(this);
  }

  @Override
  public String toString() {
    return "RecipeHandle[" + path + "]";
  }
}
