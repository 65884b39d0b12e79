package dev.imagebuilder.launchpad.internal.oci;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One {@code requestBuilds} on one recipe and what became of it: the build request, the
 * targets (by architecture) its builds serve, and the unwanted builds already cancelled.
 * Guarded by the owning {@link OciBuildJob}'s lock.
 */
final class RecipeRun {
  enum Phase {
    /** requestBuilds not sent yet. */
    TO_REQUEST,
    /** requestBuilds sent, no answer yet. */
    REQUESTING,
    /** The build request exists and is Pending. */
    PENDING,
    /** The build request is Completed: its builds exist. */
    COMPLETED,
    /** requestBuilds was refused or the request Failed; {@link #error} says why. */
    FAILED,
    /** requestBuilds got no answer: Launchpad may or may not have a request; never re-sent blindly. */
    UNKNOWN
  }

  final String id;
  final Catalog.Entry entry;
  final URI recipe;
  final int pushRules;
  /** Targets by architecture tag. */
  final Map<String, Target> targets = new LinkedHashMap<>();
  final Set<URI> cancelledUnwanted = new LinkedHashSet<>();
  /** Architectures whose builds belong to targets tracked elsewhere (kept by a retry): left alone. */
  final Set<String> ignored = new LinkedHashSet<>();
  URI buildRequest;
  /** The recipe's page on Launchpad, where a person can see its builds; may be null. */
  URI webLink;
  Phase phase = Phase.TO_REQUEST;
  String error;
  boolean busy;
  /** A requestBuilds refused with Retry-After is not sent again before this, or {@code null}. */
  java.time.Instant notBefore;
  /** The requestBuilds call in flight (phase REQUESTING), for a cancel that must wait for it. */
  java.util.concurrent.CompletableFuture<?> requesting;
  int consecutiveFailures;

  RecipeRun(String id, Catalog.Entry entry, URI recipe, int pushRules) {
    this.id = id;
    this.entry = entry;
    this.recipe = recipe;
    this.pushRules = pushRules;
  }

  boolean publishes() {
    return pushRules > 0;
  }

  /** True while some target of this run can still change. */
  boolean open() {
    return targets.values().stream().anyMatch(t -> !t.status.state().isTerminal() || t.nextUploadAt != null);
  }
}
