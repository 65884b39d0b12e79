package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.registry.ImageReference;
import dev.imagebuilder.registry.ManifestSummary;
import dev.imagebuilder.registry.Promoter;
import dev.imagebuilder.registry.PromotionResult;
import dev.imagebuilder.registry.RegistryException;
import dev.imagebuilder.registry.TagResult;
import dev.imagebuilder.spi.BuildContext;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Promotes one (image, series) in every registry of its push rules: waits (bounded) until the
 * list under the {@code from} tag holds every architecture, then writes the tags. Blocking
 * registry calls run on the context's worker pool; waits are scheduled, never slept.
 */
final class PromotionRunner {
  /** What became of one (image, series): outputs per registry, or the registry's error. */
  record Outcome(boolean succeeded, Map<String, String> outputs, String error) {}

  private final Promoter promoter;
  private final PromotionSettings settings;
  private final Clock clock;

  PromotionRunner(Promoter promoter, PromotionSettings settings, Clock clock) {
    this.promoter = promoter;
    this.settings = settings;
    this.clock = clock;
  }

  CompletableFuture<Outcome> run(PromotionSource src, OciPromotion p, List<String> tags, List<String> architectures,
      BuildContext context, String targetKey) {
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    if (src.repositories().isEmpty()) {
      done.complete(new Outcome(false, Map.of(), "the recipe has no push rules: no registry to promote in"));
      return done;
    }
    Instant deadline = clock.instant().plus(settings.waitTimeout());
    attempt(src, p, tags, architectures, context, targetKey, deadline, done);
    return done;
  }

  private void attempt(PromotionSource src, OciPromotion p, List<String> tags, List<String> architectures,
      BuildContext context, String targetKey, Instant deadline, CompletableFuture<Outcome> done) {
    context.execute(() -> {
      if (context.isClosed()) {
        done.cancel(false);
        return;
      }
      try {
        String from = PromotionTags.tag(src.branch(), p.from());
        String waitingFor = null;
        for (PromotionSource.Repository repo : src.repositories()) {
          waitingFor = incomplete(repo.tag(from), architectures);
          if (waitingFor != null) {
            break;
          }
        }
        if (waitingFor != null) {
          if (clock.instant().isBefore(deadline)) {
            context.log(targetKey, waitingFor + "; checking again in " + settings.waitInterval().toSeconds() + " s");
            context.schedule(() -> attempt(src, p, tags, architectures, context, targetKey, deadline, done),
                settings.waitInterval());
          } else {
            done.complete(new Outcome(false, Map.of(), waitingFor + " after waiting " + settings.waitTimeout()));
          }
          return;
        }
        done.complete(promote(src, from, tags, context, targetKey));
      } catch (ImageBuildException | UncheckedIOException e) {
        done.complete(new Outcome(false, Map.of(), e.getMessage()));
      }
    });
  }

  /** Why the list under {@code source} is not ready to promote, or {@code null} when it is. */
  private String incomplete(ImageReference source, List<String> architectures) {
    ManifestSummary s;
    try {
      s = promoter.inspect(source);
    } catch (RegistryException e) {
      if (e.code().equals("MANIFEST_UNKNOWN") || e.status() == 404) {
        return source + " does not exist yet (" + e.serverText() + ")";
      }
      throw e;
    }
    if (s.platforms().isEmpty()) {
      return null; // A single manifest: nothing to wait for.
    }
    List<String> missing = new ArrayList<>();
    for (String arch : architectures) {
      if (!s.hasArchitecture(ociArchitecture(arch))) {
        missing.add(arch);
      }
    }
    return missing.isEmpty() ? null : source + " lacks " + String.join(", ", missing) + " (has " + s.platforms() + ")";
  }

  private Outcome promote(PromotionSource src, String from, List<String> tags, BuildContext context, String targetKey) {
    Map<String, String> outputs = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    int n = 1;
    for (PromotionSource.Repository repo : src.repositories()) {
      ImageReference source = repo.tag(from);
      List<ImageReference> targets = tags.stream().map(repo::tag).toList();
      String prefix = "registry." + n++ + ".";
      try {
        PromotionResult r = promoter.promote(source, targets);
        outputs.put(prefix + "reference", source.host() + "/" + repo.name() + ":" + tags.get(0));
        outputs.put(prefix + "tag", String.join(",", tags));
        outputs.put(prefix + "digest", r.digest());
        for (TagResult t : r.tags()) {
          context.log(targetKey, t.target() + ": " + t.outcome().name().toLowerCase(java.util.Locale.ROOT)
              + (t.error() == null ? " (" + r.digest() + ")" : ": " + t.error()));
          if (t.failed()) {
            errors.add(t.target() + ": " + t.error());
          }
        }
      } catch (ImageBuildException | UncheckedIOException e) {
        errors.add(source + ": " + e.getMessage());
      }
    }
    return new Outcome(errors.isEmpty(), outputs, errors.isEmpty() ? null : String.join("; ", errors));
  }

  /** Launchpad's processor names to OCI platform architectures, as Launchpad maps them when pushing. */
  static String ociArchitecture(String launchpad) {
    return switch (launchpad) {
      case "armhf" -> "arm";
      case "i386" -> "386";
      case "ppc64el" -> "ppc64le";
      default -> launchpad;
    };
  }
}
