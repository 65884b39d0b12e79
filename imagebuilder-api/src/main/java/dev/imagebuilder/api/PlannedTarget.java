package dev.imagebuilder.api;

import java.util.Map;

/**
 * A target a request would produce.
 *
 * @param key the key the target's {@link TargetStatus} will carry
 * @param labels what it is ({@code image}, {@code series}, {@code arch}, {@code device}, ...)
 * @param description one line for people: the recipe, channel or image behind it
 */
public record PlannedTarget(String key, Map<String, String> labels, String description) {
  public PlannedTarget {
    labels = Map.copyOf(labels);
  }
}
