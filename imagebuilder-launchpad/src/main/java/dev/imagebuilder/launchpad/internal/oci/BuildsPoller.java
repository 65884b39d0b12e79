package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the {@code builds} collection of a Completed build request (one GET, pages of 300) and
 * maps each build to its target's state; builds of architectures nobody asked for are cancelled,
 * and so are builds a cancelled earlier process may not have reached.
 */
final class BuildsPoller {
  private final LaunchpadClient client;
  private final JobBook book;
  private final LaunchpadFailures failures;
  private final UploadRetrier uploads;
  private final RemoteCanceller canceller;

  BuildsPoller(LaunchpadClient client, JobBook book, LaunchpadFailures failures, UploadRetrier uploads,
      RemoteCanceller canceller) {
    this.client = client;
    this.book = book;
    this.failures = failures;
    this.uploads = uploads;
    this.canceller = canceller;
  }

  /** What a look at a Pending request's builds found. */
  enum Probe {
    /** A build for every target: the request has done its work; the run is COMPLETED and the builds applied. */
    COMPLETED,
    /**
     * Not a build for every target yet: the next read looks at the request, whose status alone
     * tells a job still running from a failed one.
     */
    NOT_YET,
    /** The read failed (counted as such). */
    FAILED
  }

  /** Reads the builds of {@code run}; {@code started} is when the cycle began (for stale reads). */
  CompletableFuture<?> poll(RecipeRun run, Instant started) {
    synchronized (book) {
      run.busy = true;
    }
    return apply(run, client.collection(buildsOf(run)), started);
  }

  /**
   * Reads the builds of {@code run}, whose build request was Pending at its last read. Launchpad's
   * job creates the builds and then marks the request Completed; once there is a build for every
   * target, the request has nothing more to tell, so the read that would only say Completed is
   * skipped and the builds are applied at once. Short of that, nothing is applied.
   */
  CompletableFuture<Probe> probe(RecipeRun run, Instant started) {
    synchronized (book) {
      run.busy = true;
    }
    return client.collection(buildsOf(run)).handle((entries, failure) -> {
      synchronized (book) {
        if (failure != null) {
          run.busy = false;
          failures.readFailed(run, failure);
          return CompletableFuture.completedFuture(Probe.FAILED);
        }
        Set<String> built = new HashSet<>();
        entries.forEach(b -> built.add(b.path("arch_tag").asText("")));
        if (run.targets.isEmpty() || !built.containsAll(run.targets.keySet())) {
          run.busy = false;
          run.consecutiveFailures = 0;
          // Nothing new: the request is still Pending (or Failed, which its next read tells).
          run.read(false, book.clock.instant(), book.settings.pollInterval(), book.settings.maxPollInterval());
          return CompletableFuture.completedFuture(Probe.NOT_YET);
        }
        run.completed();
      }
      return apply(run, CompletableFuture.completedFuture(entries), started).thenApply(v -> Probe.COMPLETED);
    }).thenCompose(f -> f);
  }

  /** Applies a read of the builds of {@code run} (busy until done), then cancels the unwanted ones. */
  private CompletableFuture<?> apply(RecipeRun run, CompletableFuture<List<JsonNode>> read, Instant started) {
    return read.thenCompose(entries -> withPushRules(run, entries)).handle((entries, failure) -> {
      synchronized (book) {
        run.busy = false;
        if (failure != null) {
          failures.readFailed(run, failure);
          return List.<URI>of();
        }
        run.consecutiveFailures = 0;
        String seen = whatMatters(entries);
        boolean changed = !seen.equals(run.buildsSeen);
        run.buildsSeen = seen;
        List<URI> toCancel = applyToTargets(run, entries, started);
        run.expectedEnd = expectedEnd(run, entries);
        run.read(changed, book.clock.instant(), book.settings.pollInterval(), book.settings.maxPollInterval());
        return toCancel;
      }
    }).thenCompose(canceller::cancelUnwanted);
  }

  /** The fields of each build the targets are made of, the ones a change is looked for in. */
  private static final List<String> FIELDS_THAT_MATTER = List.of("self_link", "arch_tag", "buildstate",
      "registry_upload_status", "registry_upload_error_summary", "registry_upload_errors", "can_be_cancelled",
      "web_link", "build_log_url");

  /**
   * What a read of the builds shows that the targets are made of. Not the builds' {@code http_etag}:
   * it covers every field, and Launchpad works out a queued build's {@code eta} (and {@code date})
   * from the time of each request, so a build waiting for a builder would look changed at every
   * read and never be read less often.
   */
  static String whatMatters(List<JsonNode> entries) {
    StringBuilder s = new StringBuilder();
    for (JsonNode b : entries) {
      for (String field : FIELDS_THAT_MATTER) {
        s.append(b.path(field)).append('\u001f');
      }
      s.append('\u001e');
    }
    return s.toString();
  }

  /** The states in which a build is on a builder, with an {@code eta} that stays put. */
  private static final Set<String> ON_A_BUILDER = Set.of("Currently building", "Gathering build output");

  /**
   * The earliest {@code eta} of a build of {@code run}'s targets that is on a builder, or null.
   * Launchpad gives a running build's {@code eta} as its start plus the estimated duration (from
   * the recipe's earlier builds). A queued build's {@code eta} is left out: Launchpad works it out
   * afresh at every request, always a little later, so it says nothing of when to look again.
   */
  private static Instant expectedEnd(RecipeRun run, List<JsonNode> entries) {
    Instant earliest = null;
    for (JsonNode b : entries) {
      if (!run.targets.containsKey(b.path("arch_tag").asText("")) || !ON_A_BUILDER.contains(b.path("buildstate").asText())) {
        continue;
      }
      Instant eta = instant(b.path("eta").asText(null));
      if (eta != null && (earliest == null || eta.isBefore(earliest))) {
        earliest = eta;
      }
    }
    return earliest;
  }

  /** A Launchpad datetime ({@code 2026-12-05T05:00:00.123456+00:00}), or null if absent or unreadable. */
  private static Instant instant(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static URI buildsOf(RecipeRun run) {
    return URI.create(run.buildRequest + "/builds");
  }

  /**
   * The builds read, once the run's push rules are known if any build needs them: only a built
   * image with no upload scheduled does (published, or failed to publish?).
   */
  private CompletableFuture<List<JsonNode>> withPushRules(RecipeRun run, List<JsonNode> entries) {
    boolean needed;
    synchronized (book) {
      needed = run.pushRulesUnread() && entries.stream().anyMatch(b -> "Successfully built".equals(b.path("buildstate").asText())
          && "Unscheduled".equals(b.path("registry_upload_status").asText()));
    }
    if (!needed) {
      return CompletableFuture.completedFuture(entries);
    }
    return RecipeResolver.pushRules(client, run.recipe).thenApply(n -> {
      synchronized (book) {
        run.pushRules = n;
      }
      return entries;
    });
  }

  /** Applies the builds read to the run's targets; returns the builds to cancel. Holds the lock. */
  private List<URI> applyToTargets(RecipeRun run, List<JsonNode> entries, Instant started) {
    List<URI> toCancel = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode build : entries) {
      String arch = build.path("arch_tag").asText("");
      URI self = URI.create(build.path("self_link").asText(run.buildRequest + "/builds"));
      Target t = run.targets.get(arch);
      if (t == null && run.ignored.contains(arch)) {
        continue;
      }
      if (t == null) {
        if (!book.cancelSent(self) && build.path("can_be_cancelled").asBoolean(true)
            && !BuildStateMapping.map(build, run.publishes()).state().isTerminal()) {
          run.cancelledUnwanted.add(self);
          toCancel.add(self);
        }
        continue;
      }
      seen.add(arch);
      t.build = self;
      observe(t, build, started);
      if (book.cancelRequested() && !book.cancelSent(self) && build.path("can_be_cancelled").asBoolean(false)) {
        // A cancel recorded by an earlier process that may not have gone out: send it again.
        toCancel.add(self);
      }
    }
    if (!toCancel.isEmpty()) {
      book.checkpoint(); // the cancels, recorded before they are sent
      book.cancelSent(toCancel);
    }
    for (Target t : run.targets.values()) {
      if (!seen.contains(t.arch) && !t.status.state().isTerminal()) {
        book.report(t, t.status.withState(TargetState.FAILED_TO_BUILD, "Build request Completed / no build")
            .withError("Launchpad created no " + t.arch + " build for this request (the architecture is not"
                + " enabled for the build series, or an identical " + t.arch + " build is already pending)"));
      }
    }
    return toCancel;
  }

  /** Applies one build's representation to its target; holds the lock. */
  private void observe(Target t, JsonNode build, Instant pollStarted) {
    BuildStateMapping.Observed o = BuildStateMapping.map(build, t.run.publishes());
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("build", t.build.toString());
    outputs.put("build_request", t.run.buildRequest.toString());
    outputs.put("recipe", t.run.recipe.toString());
    if (o.published() != null) {
      outputs.put("published", o.published().toString());
    }
    TargetStatus next = t.status.withState(o.state(), o.rawState()).withLinks(uri(build, "web_link"), uri(build, "build_log_url"))
        .withError(o.errorSummary()).withOutputs(outputs);
    if (o.state() == TargetState.PUBLISHING && o.rawState().endsWith("/ Unscheduled")) {
      // A built image with push rules but no upload: give Launchpad two cycles to schedule it.
      Instant now = book.clock.instant();
      if (t.unscheduledSince == null) {
        t.unscheduledSince = now;
      }
      if (Duration.between(t.unscheduledSince, now).compareTo(book.settings.pollInterval().multipliedBy(2)) < 0) {
        book.report(t, next);
        return;
      }
      next = next.withState(TargetState.FAILED_TO_PUBLISH, o.rawState()).withError(
          "the build succeeded but Launchpad scheduled no registry upload although the recipe has push rules");
    } else {
      t.unscheduledSince = null;
    }
    if (next.state() == TargetState.FAILED_TO_PUBLISH) {
      next = uploads.uploadFailed(t, next, pollStarted);
      if (next == null) {
        return;
      }
    }
    book.report(t, next);
  }

  private static URI uri(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() && !v.asText().isEmpty() ? URI.create(v.asText()) : null;
  }
}
