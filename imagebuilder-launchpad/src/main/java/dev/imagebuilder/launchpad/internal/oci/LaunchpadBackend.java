package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.launchpad.internal.webhook.WebhookReceiver;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The {@code launchpad} backend: OCI images built by Launchpad OCI recipes. */
public final class LaunchpadBackend implements Backend {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LaunchpadBackend.class);
  public static final String NAME = "launchpad";

  private final LaunchpadSettings settings;
  private final LaunchpadClient client;
  private final Clock clock;
  private final PromotionBackend promotions;

  public LaunchpadBackend(BackendContext context) {
    this(LaunchpadSettings.from(context.configuration()), context);
  }

  LaunchpadBackend(LaunchpadSettings settings, BackendContext context) {
    this.settings = settings;
    this.clock = context.clock();
    this.client = new LaunchpadClient(settings.root(),
        java.util.Objects.requireNonNull(context.http(), "the core handed the launchpad backend no HttpService"), settings.credentials(), clock,
        settings.maxConcurrentRequests());
    this.promotions = new PromotionBackend(client, this::catalog, context.configuration(), clock);
  }

  private WebhookReceiver receiver;

  /** The webhook receiver, started with the first build that needs it; {@code null} when webhooks are off. */
  private synchronized WebhookReceiver receiver() {
    if (settings.webhooks() && receiver == null) {
      receiver = new WebhookReceiver(settings.webhookListen(), settings.webhookUrl());
    }
    return receiver;
  }

  @Override
  public synchronized void close() {
    if (receiver != null) {
      receiver.close();
      receiver = null;
    }
  }

  /** The client, for benchmarks counting requests. */
  public LaunchpadClient client() {
    return client;
  }

  @Override
  public Plan plan(ImageRequest request) {
    if (request instanceof OciPromotionRequest p) {
      return promotions.plan(p);
    }
    OciImageRequest oci = oci(request);
    List<Catalog.Entry> entries = catalog().select(oci.images(), oci.series());
    List<RecipeInfo> recipes = join(new RecipeResolver(client).resolve(entries));
    OciTargets.Fanout fanout = OciTargets.fanout(recipes, oci.architectures());
    if (fanout.targets().isEmpty()) {
      throw nothingToBuild(oci, recipes);
    }
    List<String> notes = new java.util.ArrayList<>(fanout.notes());
    if (oci.promotion() != null) {
      notes.addAll(promotions.afterBuildNotes(entries, oci.promotion()));
    }
    return new Plan(request, NAME, fanout.targets(), notes);
  }

  @Override
  public BuildJob start(ImageRequest request, BuildContext context) {
    if (request instanceof OciPromotionRequest p) {
      return promotions.start(p, context);
    }
    OciImageRequest oci = oci(request);
    // Catalog errors (unknown image or series) are the caller's: thrown here, before any work.
    List<Catalog.Entry> entries = catalog().select(oci.images(), oci.series());
    OciBuildJob job = new OciBuildJob(client, settings, context, clock, receiver());
    promotions.attach(job, oci, context);
    job.book().declaring();
    context.schedule(() -> new BuildStarter(client, settings, oci, job, context).start(entries), Duration.ZERO);
    return job;
  }

  @Override
  public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
    if (request instanceof OciPromotionRequest p) {
      // Promotion is idempotent and creates no Launchpad work: resuming promotes again.
      return promotions.start(p, context);
    }
    oci(request);
    OciBuildJob job = new OciBuildJob(client, settings, context, clock);
    promotions.attach(job, oci(request), context);
    Catalog catalog = catalogOrNull();
    job.restoreStatuses(JobState.read(state, catalog, job.book()));
    job.dropRecordedWebhooks();
    if (job.book().planned()) {
      job.begin();
      return job;
    }
    // Recorded while the recipes were still being read: the recipes without a run are read (and
    // requested) now, or the resumed build would silently leave images of its request out.
    if (catalog == null) {
      throw new InvalidRequestException("launchpad.catalog", "cannot be read, and this ticket was recorded"
          + " before every recipe of the request was read: the rest cannot be planned without it");
    }
    OciImageRequest oci = (OciImageRequest) request;
    List<Catalog.Entry> rest = catalog.select(oci.images(), oci.series()).stream()
        .filter(e -> !job.book().hasRunFor(e)).toList();
    job.book().declaring();
    context.schedule(() -> new BuildStarter(client, settings, oci, job, context).start(rest), Duration.ZERO);
    return job;
  }

  @Override
  public BuildJob retry(ImageRequest request, Map<String, Object> state, Set<String> targetKeys, BuildContext context) {
    if (request instanceof OciPromotionRequest p) {
      return promotions.retry(p, targetKeys, context);
    }
    oci(request);
    OciBuildJob job = new OciBuildJob(client, settings, context, clock);
    promotions.attach(job, oci(request), context);
    job.restoreStatuses(JobState.read(state, catalogOrNull(), job.book()));
    job.dropRecordedWebhooks();
    Set<String> known = job.book().targetsByKey().keySet();
    for (String key : targetKeys) {
      if (!known.contains(key)) {
        throw new InvalidRequestException("targets", "'" + key + "' is not a target of this build (targets: "
            + String.join(", ", known) + ")");
      }
    }
    job.keepOnly(targetKeys);
    // Declared before any call: every ticket recorded from here on holds the targets it serves.
    context.declareTargets(job.book().statuses());
    context.schedule(() -> job.retryTargets().whenComplete((v, failure) -> {
      if (failure != null) {
        context.fail(LaunchpadClient.unwrap(failure));
      } else {
        job.begin();
      }
    }), Duration.ZERO);
    return job;
  }

  private Catalog catalog() {
    return Catalog.read("imagebuilder.launchpad.catalog", settings.catalog());
  }

  private Catalog catalogOrNull() {
    try {
      return catalog();
    } catch (InvalidRequestException e) {
      // A resume must work from the ticket alone, even if the catalog moved on.
      return null;
    }
  }

  private static OciImageRequest oci(ImageRequest request) {
    if (request instanceof OciImageRequest oci) {
      return oci;
    }
    throw new InvalidRequestException("image_type", "'" + request.imageType() + "' is not served by the launchpad backend");
  }

  static InvalidRequestException nothingToBuild(OciImageRequest oci, List<RecipeInfo> recipes) {
    StringBuilder sb = new StringBuilder("no selected recipe builds ");
    sb.append(oci.architectures().stream().map(a -> a.tag()).toList());
    sb.append(" (");
    for (int i = 0; i < recipes.size(); i++) {
      RecipeInfo r = recipes.get(i);
      sb.append(i == 0 ? "" : "; ").append(r.entry().image()).append(' ').append(r.entry().seriesName())
          .append(": ").append(String.join(", ", r.architectures()));
    }
    return new InvalidRequestException("architectures", sb.append(")").toString());
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable t = LaunchpadClient.unwrap(e);
      if (t instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
