package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An {@code oci_recipe_build_request} (the requestBuilds job); guarded by the {@link World} lock. */
final class BuildRequest {
  final int id;
  final Recipe recipe;
  final Instant dateRequested;
  /** When the job runs; null once it has run. */
  Instant jobAt;
  String status = "Pending";
  String errorMessage;
  Instant dateFinished;
  final List<Build> builds = new ArrayList<>();

  BuildRequest(int id, Recipe recipe, Instant requested, Instant jobAt) {
    this.id = id;
    this.recipe = recipe;
    this.dateRequested = requested;
    this.jobAt = jobAt;
  }

  String path() {
    return recipe.path() + "/+build-request/" + id;
  }
}
