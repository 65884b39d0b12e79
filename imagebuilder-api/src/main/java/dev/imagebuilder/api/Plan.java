package dev.imagebuilder.api;

import java.util.List;

/**
 * What a request would do, resolved without side effects.
 *
 * @param backend the backend that would serve it
 * @param notes remarks for people (skipped combinations, side effects the build would have)
 */
public record Plan(ImageRequest request, String backend, List<PlannedTarget> targets, List<String> notes) {
  public Plan {
    targets = List.copyOf(targets);
    notes = List.copyOf(notes);
  }
}
