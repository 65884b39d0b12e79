package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.spi.BuildContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code OciImageRequest.promotion()}: a build target that reaches SUCCEEDED is held at
 * PUBLISHING ("promoting") until every target of its (image, series) is there; then the
 * (image, series) is promoted and each of its targets ends SUCCEEDED with the registry outputs,
 * or FAILED_TO_PUBLISH with the registry's message. When another target of the (image, series)
 * fails, nothing is promoted and the held targets are released as SUCCEEDED. Called under the
 * owning job's lock.
 */
final class AfterBuildPromotion {
  private final OciPromotion promotion;
  private final Supplier<PromotionRunner> runner;
  private final LaunchpadClient client;
  private final Supplier<Catalog> catalog;
  private final BuildContext context;
  private final Supplier<Collection<TargetStatus>> statuses;
  private final Consumer<TargetStatus> report;
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final Map<String, TargetStatus> finished = new ConcurrentHashMap<>();

  /** Makes one for a job, given how to read its statuses and report under its lock. */
  interface Factory {
    AfterBuildPromotion create(Supplier<Collection<TargetStatus>> statuses, Consumer<TargetStatus> report);
  }

  /**
   * @param statuses every target's current status (read under the job's lock)
   * @param report reports a final status under the job's lock (it comes back through {@link #hold})
   */
  AfterBuildPromotion(OciPromotion promotion, Supplier<PromotionRunner> runner, LaunchpadClient client,
      Supplier<Catalog> catalog, BuildContext context, Supplier<Collection<TargetStatus>> statuses,
      Consumer<TargetStatus> report) {
    this.promotion = promotion;
    this.runner = runner;
    this.client = client;
    this.catalog = catalog;
    this.context = context;
    this.statuses = statuses;
    this.report = report;
  }

  /** What to report instead of {@code next} for a target of {@code entry}. */
  TargetStatus hold(Catalog.Entry entry, TargetStatus next) {
    TargetStatus done = finished.get(next.key());
    if (done != null) {
      if (next.state() != TargetState.SUCCEEDED) {
        return next;
      }
      Map<String, String> outputs = new LinkedHashMap<>(next.outputs());
      outputs.putAll(done.outputs());
      return next.withState(done.state(), done.rawState()).withError(done.errorSummary()).withOutputs(outputs);
    }
    if (next.state() != TargetState.SUCCEEDED) {
      return next;
    }
    TargetStatus held = next.withState(TargetState.PUBLISHING, next.rawState() + " / promoting");
    String group = group(entry);
    if (!started.contains(group)) {
      List<TargetStatus> members = members(entry, held);
      if (members.stream().allMatch(AfterBuildPromotion::isHeld)) {
        started.add(group);
        start(entry, members);
      }
    }
    return held;
  }

  /** Called when a target's status changed otherwise: a failure in the group releases the held ones. */
  void settled(Catalog.Entry entry) {
    String group = group(entry);
    if (started.contains(group)) {
      return;
    }
    List<TargetStatus> members = members(entry, null);
    boolean anyFailed = members.stream().anyMatch(s -> s.state().isTerminal() && s.state() != TargetState.SUCCEEDED);
    boolean othersSettled = members.stream().allMatch(s -> s.state().isTerminal() || isHeld(s));
    if (anyFailed && othersSettled) {
      started.add(group);
      for (TargetStatus s : members) {
        if (isHeld(s)) {
          context.log(s.key(), "not promoted: another build of " + entry.image() + " " + entry.seriesName() + " failed");
          TargetStatus release = s.withState(TargetState.SUCCEEDED, s.rawState().replace(" / promoting", ""));
          finished.put(s.key(), release);
          report.accept(release);
        }
      }
    }
  }

  private void start(Catalog.Entry entry, List<TargetStatus> members) {
    List<String> archs = new ArrayList<>();
    members.forEach(m -> archs.add(m.label("arch")));
    String first = members.get(0).key();
    Catalog c = catalog.get();
    new PromotionResolver(client, c).resolve(entry).whenComplete((src, failure) -> {
      if (failure != null) {
        finish(members, null, LaunchpadClient.unwrap(failure).getMessage());
        return;
      }
      List<String> tags;
      try {
        tags = PromotionTags.targets(entry, src.branch(), promotion, PromotionTags.newest(c, entry));
      } catch (RuntimeException e) {
        finish(members, null, e.getMessage());
        return;
      }
      runner.get().run(src, promotion, tags, archs, context, first).whenComplete((outcome, f) -> {
        if (f == null) {
          finish(members, outcome.succeeded() ? outcome.outputs() : null, outcome.error());
        }
      });
    });
  }

  private void finish(List<TargetStatus> members, Map<String, String> outputs, String error) {
    for (TargetStatus m : members) {
      String raw = m.rawState().replace(" / promoting", "");
      TargetStatus end;
      if (outputs != null) {
        Map<String, String> all = new LinkedHashMap<>(m.outputs());
        all.putAll(outputs);
        end = m.withState(TargetState.SUCCEEDED, raw + " / promoted").withOutputs(all);
      } else {
        end = m.withState(TargetState.FAILED_TO_PUBLISH, raw + " / promotion failed").withError(error);
      }
      finished.put(m.key(), end);
      report.accept(end);
    }
  }

  private List<TargetStatus> members(Catalog.Entry entry, TargetStatus replacing) {
    List<TargetStatus> out = new ArrayList<>();
    for (TargetStatus s : statuses.get()) {
      if (entry.image().equals(s.label("image")) && entry.seriesName().equals(s.label("series"))) {
        out.add(replacing != null && replacing.key().equals(s.key()) ? replacing : s);
      }
    }
    return out;
  }

  private static boolean isHeld(TargetStatus s) {
    return s.state() == TargetState.PUBLISHING && s.rawState() != null && s.rawState().endsWith(" / promoting");
  }

  private static String group(Catalog.Entry entry) {
    return entry.image() + "/" + entry.seriesName();
  }
}
