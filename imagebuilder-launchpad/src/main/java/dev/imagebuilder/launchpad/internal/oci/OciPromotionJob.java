package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.Architecture;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Promotion of images already built ({@link OciPromotionRequest}): one target per
 * (image, series), SUCCEEDED when every tag in every registry points at the promoted digest,
 * FAILED_TO_PUBLISH with the registry's message otherwise. Creates no Launchpad work; promotion
 * is idempotent, so a resume simply promotes again.
 */
final class OciPromotionJob implements BuildJob {
  private final LaunchpadClient client;
  private final Catalog catalog;
  private final PromotionRunner runner;
  private final BuildContext context;
  private final OciPromotionRequest request;
  private final Map<String, TargetStatus> statuses = new LinkedHashMap<>();
  private volatile boolean cancelled;

  OciPromotionJob(LaunchpadClient client, Catalog catalog, PromotionRunner runner, BuildContext context) {
    this.client = client;
    this.catalog = catalog;
    this.runner = runner;
    this.context = context;
    this.request = (OciPromotionRequest) context.request();
  }

  static String key(Catalog.Entry e) {
    return e.image() + "/" + e.seriesName();
  }

  /** Declares a target per entry and starts each promotion. */
  void begin(List<Catalog.Entry> entries) {
    List<TargetStatus> declared = new ArrayList<>();
    synchronized (this) {
      for (Catalog.Entry e : entries) {
        TargetStatus s = TargetStatus.queued(key(e), Map.of("image", e.image(), "series", e.seriesName(),
            "promotion", request.promotion().from() + " -> " + request.promotion().to()));
        statuses.put(s.key(), s);
        declared.add(s);
      }
    }
    context.declareTargets(declared);
    PromotionResolver resolver = new PromotionResolver(client, catalog);
    for (Catalog.Entry e : entries) {
      String key = key(e);
      report(status(key).withState(TargetState.PUBLISHING, "resolving"));
      resolver.resolve(e).whenComplete((src, failure) -> {
        if (failure != null) {
          report(status(key).withState(TargetState.FAILED_TO_PUBLISH, "unresolved")
              .withError(LaunchpadClient.unwrap(failure).getMessage()));
          return;
        }
        List<String> archs = request.architectures().isEmpty() ? src.architectures()
            : request.architectures().stream().map(Architecture::tag).toList();
        List<String> tags;
        try {
          tags = PromotionTags.targets(e, src.branch(), request.promotion(), PromotionTags.newest(catalog, e));
        } catch (RuntimeException ex) {
          report(status(key).withState(TargetState.FAILED_TO_PUBLISH, "bad alias").withError(ex.getMessage()));
          return;
        }
        report(status(key).withLinks(src.webLink(), null).withState(TargetState.PUBLISHING, "promoting"));
        runner.run(src, request.promotion(), tags, archs, context, key).whenComplete((outcome, f) -> {
          if (f != null || cancelled) {
            return;
          }
          TargetStatus s = status(key).withOutputs(outcome.outputs());
          report(outcome.succeeded() ? s.withState(TargetState.SUCCEEDED, "promoted")
              : s.withState(TargetState.FAILED_TO_PUBLISH, "promotion failed").withError(outcome.error()));
        });
      });
    }
  }

  private synchronized TargetStatus status(String key) {
    return statuses.get(key);
  }

  private void report(TargetStatus next) {
    synchronized (this) {
      TargetStatus old = statuses.get(next.key());
      if (next.equals(old) || old.state().isTerminal() || cancelled) {
        return;
      }
      statuses.put(next.key(), next);
    }
    context.update(next);
  }

  @Override
  public void cancel() {
    // Nothing remote to stop: the registry calls in flight finish, their results are dropped.
    cancelled = true;
  }

  @Override
  public Map<String, Object> state() {
    return Map.of("kind", "promotion");
  }
}
