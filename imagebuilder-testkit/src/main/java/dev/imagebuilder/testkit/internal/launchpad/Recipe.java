package dev.imagebuilder.testkit.internal.launchpad;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An OCI recipe; guarded by the {@link World} lock. */
final class Recipe {
  final String owner;
  final OciProject ociProject;
  final String name;
  final String series;
  final Instant dateCreated;
  Instant dateLastModified;
  String description;
  final List<String> processors = new ArrayList<>();
  final List<PushRule> pushRules = new ArrayList<>();
  final List<BuildRequest> requests = new ArrayList<>();
  final List<Build> builds = new ArrayList<>();
  final Map<String, Outcome> outcomes = new HashMap<>();
  /** Build request jobs still to fail (scripted), and the error message they fail with. */
  int requestFailures;
  String requestFailure;

  Recipe(String owner, OciProject ociProject, String name, String series, Instant created) {
    this.owner = owner;
    this.ociProject = ociProject;
    this.name = name;
    this.series = series;
    this.dateCreated = created;
    this.dateLastModified = created;
  }

  String path() {
    return "~" + owner + "/" + ociProject.path() + "/+recipe/" + name;
  }

  /** The git branch, which Launchpad requires to look like {@code APPVERSION-UBUNTUVERSION}. */
  String branch() {
    return "1.0-" + (series == null ? "22.04" : series);
  }

  Outcome outcome(String arch) {
    return outcomes.computeIfAbsent(arch, a -> new Outcome());
  }
}
