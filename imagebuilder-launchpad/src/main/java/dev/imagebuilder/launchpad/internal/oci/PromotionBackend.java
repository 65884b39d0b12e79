package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.registry.ImageReference;
import dev.imagebuilder.registry.Promoter;
import dev.imagebuilder.registry.PromotionResult;
import dev.imagebuilder.registry.TagResult;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import dev.imagebuilder.spi.Configuration;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The launchpad backend's promotion side: {@link OciPromotionRequest} (plan = dry run showing
 * every tag it would write, start, retry) and the runner the build jobs use for
 * {@code OciImageRequest.promotion()}. Settings and the registry client are made on first use,
 * so a bad registry setting never breaks builds that do not promote.
 */
final class PromotionBackend {
  private final LaunchpadClient client;
  private final Supplier<Catalog> catalog;
  private final Configuration configuration;
  private final Clock clock;
  private PromotionSettings settings;
  private Promoter promoter;
  private PromotionRunner runner;

  PromotionBackend(LaunchpadClient client, Supplier<Catalog> catalog, Configuration configuration, Clock clock) {
    this.client = client;
    this.catalog = catalog;
    this.configuration = configuration;
    this.clock = clock;
  }

  synchronized PromotionRunner runner() {
    if (runner == null) {
      settings = PromotionSettings.from(configuration);
      promoter = settings.promoter();
      runner = new PromotionRunner(promoter, settings, clock);
    }
    return runner;
  }

  private Promoter promoter() {
    runner();
    return promoter;
  }

  Plan plan(OciPromotionRequest r) {
    Catalog c = catalog.get();
    List<Catalog.Entry> entries = c.select(r.images(), r.series());
    PromotionResolver resolver = new PromotionResolver(client, c);
    List<PlannedTarget> targets = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (Catalog.Entry e : entries) {
      PromotionSource src = LaunchpadBackend.join(resolver.resolve(e));
      List<String> tags = PromotionTags.targets(e, src.branch(), r.promotion(), PromotionTags.newest(c, e));
      String from = PromotionTags.tag(src.branch(), r.promotion().from());
      StringBuilder d = new StringBuilder();
      if (src.repositories().isEmpty()) {
        d.append("no push rules: nothing to promote");
      }
      List<String> archs = r.architectures().isEmpty() ? src.architectures()
          : r.architectures().stream().map(Architecture::tag).toList();
      for (PromotionSource.Repository repo : src.repositories()) {
        d.append(d.length() == 0 ? "" : "; ").append(describe(repo, from, tags, archs));
      }
      targets.add(new PlannedTarget(OciPromotionJob.key(e), Map.of("image", e.image(), "series", e.seriesName(),
          "promotion", r.promotion().from() + " -> " + r.promotion().to()), d.toString()));
      for (PromotionSource.Repository repo : src.repositories()) {
        for (String t : tags) {
          notes.add("would tag " + repo.tag(from) + " as " + t);
        }
      }
    }
    return new Plan(r, LaunchpadBackend.NAME, targets, notes);
  }

  /** For a build's dry run with promotion: every tag the promotion would write after the builds. */
  List<String> afterBuildNotes(List<Catalog.Entry> entries, dev.imagebuilder.api.OciPromotion p) {
    Catalog c = catalog.get();
    PromotionResolver resolver = new PromotionResolver(client, c);
    List<String> notes = new ArrayList<>();
    for (Catalog.Entry e : entries) {
      PromotionSource src = LaunchpadBackend.join(resolver.resolve(e));
      List<String> tags = PromotionTags.targets(e, src.branch(), p, PromotionTags.newest(c, e));
      if (src.repositories().isEmpty()) {
        notes.add(e.image() + " " + e.seriesName() + ": no push rules, nothing to promote");
      }
      for (PromotionSource.Repository repo : src.repositories()) {
        notes.add("after the builds of " + e.image() + " " + e.seriesName() + ": would tag "
            + repo.tag(PromotionTags.tag(src.branch(), p.from())) + " as " + String.join(", ", tags));
      }
    }
    return notes;
  }

  /** One registry's line of a dry run: what the source is and what each tag would become. */
  private String describe(PromotionSource.Repository repo, String from, List<String> tags, List<String> archs) {
    ImageReference source = repo.tag(from);
    try {
      PromotionResult dry = promoter().dryRun(source, tags.stream().map(repo::tag).toList());
      StringBuilder sb = new StringBuilder(source.toString()).append(" (").append(dry.digest());
      List<String> missing = archs.stream()
          .filter(a -> !dry.platforms().isEmpty()
              && dry.platforms().stream().noneMatch(p -> p.equals(PromotionRunner.ociArchitecture(a))
                  || p.startsWith(PromotionRunner.ociArchitecture(a) + "/")))
          .toList();
      if (!missing.isEmpty()) {
        sb.append(", lacks ").append(String.join(", ", missing)).append(": promotion would wait");
      }
      sb.append(") ->");
      for (TagResult t : dry.tags()) {
        sb.append(' ').append(t.target().tag()).append(" [")
            .append(t.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(']');
      }
      return sb.toString();
    } catch (ImageBuildException | UncheckedIOException e) {
      return source + " -> " + String.join(", ", tags) + " (cannot read the registry: " + e.getMessage() + ")";
    }
  }

  /** Makes {@code job} promote after its builds when the request asks for it. */
  void attach(OciBuildJob job, dev.imagebuilder.api.OciImageRequest r, BuildContext context) {
    if (r.promotion() != null) {
      job.promoteAfterBuilds((statuses, report) -> new AfterBuildPromotion(r.promotion(), this::runner, client,
          catalog, context, statuses, report));
    }
  }

  BuildJob start(OciPromotionRequest r, BuildContext context) {
    Catalog c = catalog.get();
    List<Catalog.Entry> entries = c.select(r.images(), r.series());
    OciPromotionJob job = new OciPromotionJob(client, c, runner(), context);
    context.schedule(() -> job.begin(entries), Duration.ZERO);
    return job;
  }

  BuildJob retry(OciPromotionRequest r, Set<String> keys, BuildContext context) {
    Catalog c = catalog.get();
    List<Catalog.Entry> entries = c.select(r.images(), r.series()).stream()
        .filter(e -> keys.contains(OciPromotionJob.key(e))).toList();
    if (entries.isEmpty()) {
      throw new InvalidRequestException("targets", "none of " + keys + " is a target of this promotion");
    }
    OciPromotionJob job = new OciPromotionJob(client, c, runner(), context);
    context.schedule(() -> job.begin(entries), Duration.ZERO);
    return job;
  }
}
