package dev.imagebuilder.testkit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo setup of {@link FakeLaunchpad#demo()} and {@link FakeServers}: the
 * {@code ubuntu-docker-images} team and project with images redis, postgres, nginx and memcached,
 * one recipe {@code <image>-<series>} per series 20.04, 22.04 and 24.04, each building amd64,
 * arm64, ppc64el and s390x and pushing to the fake's registry ({@link FakeLaunchpad#registryUri()}:
 * an in-process {@link FakeRegistry} unless another was given). The first registry upload of redis 22.04 on
 * arm64 fails once (so a client's upload retry has something to do). With the in-process registry,
 * each image's {@code 1.0-<series>_edge} list is already there, as if built earlier, so that
 * {@code image-builder promote --launchpad demo --to beta} has something to promote.
 */
public final class DemoData {
  /** Owner team and project of the demo recipes. */
  public static final String OWNER = "ubuntu-docker-images";
  public static final String PROJECT = "ubuntu-docker-images";
  public static final List<String> IMAGES = List.of("redis", "postgres", "nginx", "memcached");
  public static final List<String> SERIES = List.of("20.04", "22.04", "24.04");
  public static final List<String> ARCHITECTURES = List.of("amd64", "arm64", "ppc64el", "s390x");
  /** Each farm state lasts this long in the demo: a build is uploaded about 12 s after the request. */
  public static final Duration PHASE = Duration.ofSeconds(2);
  /**
   * The client settings that suit this pace, as {@code image-builder} configuration keys and
   * values: a poll every second (with the library's default of 30 s a build of seconds is seen
   * half a minute late) and 2 s before an automatic upload retry (with the default of 5 minutes,
   * the upload that fails once holds the build up for five minutes).
   */
  public static Map<String, String> clientSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("launchpad.poll-interval", "1s");
    settings.put("launchpad.upload-retry-backoff", "2s");
    return settings;
  }

  private DemoData() {}

  /** Adds the demo recipes to {@code launchpad} and sets its catalog template to match. */
  public static void install(FakeLaunchpad launchpad) {
    launchpad.addTeam(OWNER).addProject(PROJECT);
    for (String image : IMAGES) {
      for (String series : SERIES) {
        RecipeHandle recipe = launchpad.addRecipe(OWNER, PROJECT, image, image + "-" + series, series)
            .processors(ARCHITECTURES.toArray(String[]::new))
            .pushRule(launchpad.registryUri().toString(), "ubuntu/" + image, "registry-bot");
        if (launchpad.hasOwnRegistry()) {
          // Images "built earlier", so that a promotion can be shown at once (image-builder promote).
          launchpad.registry().pushImage("ubuntu/" + image, "1.0-" + series + "_edge", ARCHITECTURES,
              "demo " + image + " " + series);
        }
        if (image.equals("redis") && series.equals("22.04")) {
          launchpad.script(recipe, "arm64").uploadFailsTimes(1, "BLOB_UPLOAD_INVALID", "blob upload invalid");
        }
      }
    }
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("owner", OWNER);
    template.put("project", PROJECT);
    template.put("recipe", "{image}-{series}");
    Map<String, List<String>> images = new LinkedHashMap<>();
    IMAGES.forEach(i -> images.put(i, SERIES));
    template.put("images", images);
    launchpad.catalogTemplate(template);
  }
}
