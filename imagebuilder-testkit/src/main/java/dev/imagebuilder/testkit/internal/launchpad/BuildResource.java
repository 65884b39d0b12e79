package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Entries.entry;
import static dev.imagebuilder.testkit.internal.launchpad.Entries.requireEditor;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;

/** One OCI recipe build ({@code .../+build/N}) and its named operations. */
final class BuildResource {
  private final World world;

  BuildResource(World world) {
    this.world = world;
  }

  MockResponse.Builder answer(ApiRequest req, Representations reps, Build build) {
    Map<String, Object> rep;
    synchronized (world) {
      rep = reps.build(build);
    }
    return entry(req, rep, Schema.OCI_RECIPE_BUILD, op -> operation(req, build, op));
  }

  private MockResponse.Builder operation(ApiRequest req, Build build, String op) {
    switch (op) {
      case "getFileUrls" -> {
        List<String> urls = new ArrayList<>();
        synchronized (world) {
          if (build.buildstate.equals(Build.BUILT) || build.buildstate.equals(Build.SUPERSEDED)) {
            String files = req.roots().web(build.path() + "/+files/");
            urls.add(files + "manifest.json");
            urls.add(files + "digests.json");
            urls.add(files + "layer-" + build.id + ".tar.gz");
          }
        }
        return json(200, urls);
      }
      case "retry" -> {
        requireEditor(world, build.recipe, "retry builds of OCI recipes owned by");
        world.retry(build);
        return json(200, null);
      }
      case "cancel" -> {
        requireEditor(world, build.recipe, "cancel builds of OCI recipes owned by");
        world.cancel(build);
        return json(200, null);
      }
      case "scheduleRegistryUpload" -> {
        requireEditor(world, build.recipe, "upload builds of OCI recipes owned by");
        world.scheduleRegistryUpload(build);
        return json(200, null);
      }
      default -> throw ApiError.badRequest("No such operation: " + op);
    }
  }
}
