package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.registry.ImageReference;
import dev.imagebuilder.registry.ManifestSummary;
import dev.imagebuilder.registry.Promoter;
import dev.imagebuilder.registry.PromotionResult;
import dev.imagebuilder.registry.RegistryException;
import dev.imagebuilder.registry.SourceManifest;
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

  /** One registry's source as checked: the manifest read when it is ready to promote, else why it is not. */
  private record Check(PromotionSource.Repository repository, SourceManifest ready, String waitingFor) {}

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
        List<Check> ready = new ArrayList<>();
        for (PromotionSource.Repository repo : src.repositories()) {
          Check check = check(repo, from, architectures);
          waitingFor = check.waitingFor();
          if (waitingFor != null) {
            break;
          }
          ready.add(check);
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
        done.complete(promote(ready, tags, context, targetKey));
      } catch (ImageBuildException | UncheckedIOException e) {
        done.complete(new Outcome(false, Map.of(), e.getMessage()));
      }
    });
  }

  /**
   * Reads the list under {@code from} once; it is ready to promote unless it does not exist yet or
   * lacks an architecture. The promotion then writes that very read.
   */
  private Check check(PromotionSource.Repository repo, String from, List<String> architectures) {
    ImageReference source = repo.tag(from);
    SourceManifest read;
    try {
      read = promoter.read(source);
    } catch (RegistryException e) {
      if (e.code().equals("MANIFEST_UNKNOWN") || e.status() == 404) {
        return new Check(repo, null, source + " does not exist yet (" + e.serverText() + ")");
      }
      throw e;
    }
    ManifestSummary s = read.summary();
    if (s.platforms().isEmpty()) {
      return new Check(repo, read, null); // A single manifest: nothing to wait for.
    }
    List<String> missing = new ArrayList<>();
    for (String arch : architectures) {
      if (!s.hasArchitecture(ociArchitecture(arch))) {
        missing.add(arch);
      }
    }
    return missing.isEmpty() ? new Check(repo, read, null)
        : new Check(repo, null, source + " lacks " + String.join(", ", missing) + " (has " + s.platforms() + ")");
  }

  private Outcome promote(List<Check> ready, List<String> tags, BuildContext context, String targetKey) {
    Map<String, String> outputs = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    int n = 1;
    for (Check check : ready) {
      PromotionSource.Repository repo = check.repository();
      ImageReference source = check.ready().reference();
      List<ImageReference> targets = tags.stream().map(repo::tag).toList();
      String prefix = "registry." + n++ + ".";
      try {
        PromotionResult r = promoter.promote(check.ready(), targets);
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
