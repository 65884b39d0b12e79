package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The people-readable texts shared by the table and plain outputs: counts, summary, plans. */
final class Summary {
  private Summary() {}

  /** "12 targets: 4 building, 8 succeeded". */
  static String counts(List<TargetStatus> targets) {
    Map<TargetState, Integer> counts = new EnumMap<>(TargetState.class);
    targets.forEach(t -> counts.merge(t.state(), 1, Integer::sum));
    String parts = counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '))
        .collect(Collectors.joining(", "));
    return targets.size() + (targets.size() == 1 ? " target" : " targets") + (parts.isEmpty() ? "" : ": " + parts);
  }

  static List<String> lines(Outcome o) {
    return lines(o, Map.of(), true);
  }

  /**
   * The summary: items not submitted, the counts, with {@code everyTarget} every target with its
   * whole link (the table prints its last frame instead), the outputs of targets that made
   * something (cloud images, touch channels), each failed target with the last lines of its build
   * log ({@code logTails}, by target key), builds whose tracking failed, and how the run ended.
   */
  static List<String> lines(Outcome o, Map<String, List<String>> logTails, boolean everyTarget) {
    List<String> lines = new ArrayList<>();
    for (Outcome.Rejected r : o.rejected()) {
      lines.add("Not submitted: item [" + r.index() + "] (" + r.imageType() + "): " + Text.brief(r.reason()));
    }
    lines.add(counts(o.allTargets()) + ".");
    if (everyTarget && !o.allTargets().isEmpty()) {
      lines.addAll(table(o.allTargets()));
    }
    // What cloud and touch builds made (an image file and its sha256, a channel and version).
    // Launchpad's outputs are its own references, shown as the build's link.
    List<TargetStatus> made = o.builds().stream().filter(b -> !"launchpad".equals(b.backend()))
        .flatMap(b -> b.targets().stream()).filter(t -> !t.outputs().isEmpty()).toList();
    if (!made.isEmpty()) {
      lines.add("Outputs:");
      for (TargetStatus t : made) {
        lines.add("  " + describe(TargetView.of(t)) + ":");
        new java.util.TreeMap<>(t.outputs()).forEach((k, v) -> lines.add("    " + k + ": " + v));
      }
    }
    List<TargetStatus> failed = o.failedTargets();
    if (!failed.isEmpty()) {
      lines.add("Failed targets:");
      for (TargetStatus t : failed) {
        TargetView v = TargetView.of(t);
        StringBuilder sb = new StringBuilder("  ").append(describe(v)).append(": ").append(t.state());
        if (t.rawState() != null) {
          sb.append(" (").append(t.rawState()).append(')');
        }
        if (t.errorSummary() != null) {
          sb.append(": ").append(Text.brief(t.errorSummary()));
        }
        lines.add(sb.toString());
        if (t.webLink() != null) {
          lines.add("    build: " + t.webLink());
        }
        if (t.logUrl() != null) {
          lines.add("    log: " + t.logUrl());
        }
        List<String> tail = logTails.getOrDefault(t.key(), List.of());
        if (!tail.isEmpty()) {
          lines.add("    last lines of the log:");
          tail.forEach(l -> lines.add("      | " + Text.clean(l)));
        }
      }
    }
    for (Outcome.BuildOutcome b : o.brokenBuilds()) {
      lines.add("Build " + b.buildId() + " (" + b.backend() + "): " + b.status() + ": " + Text.brief(b.failure()));
    }
    if (o.builds().isEmpty() && !o.rejected().isEmpty()) {
      lines.add("Nothing was submitted.");
      return lines;
    }
    switch (o.ending()) {
      case SUBMITTED -> lines.add(o.builds().isEmpty() ? "Nothing was submitted."
          : o.resumeCommand() == null ? "Submitted."
          : "Submitted; the builds go on. Follow them with: " + o.resumeCommand());
      case DEADLINE -> lines.add("The local deadline (--timeout " + o.timeout() + ") passed with builds still running"
          + (o.resumeCommand() != null ? "; the remote ones go on. Resume with: " + o.resumeCommand() : "."));
      case INTERRUPTED -> lines.add("Interrupted: stopped waiting, nothing was cancelled"
          + (o.resumeCommand() != null ? "; the remote builds go on. Resume with: " + o.resumeCommand() : "."));
      case COMPLETED -> lines.add(o.exitCode() == ExitCode.OK ? "All targets succeeded." : "Some targets did not succeed.");
      case CANCELLED -> lines.add("Cancel requested for every build still running.");
      case SNAPSHOT -> {
        if (o.resumeCommand() != null) {
          lines.add("Builds still running; follow them with: " + o.resumeCommand());
        }
      }
      default -> { }
    }
    if (!o.stoppedHere().isEmpty()) {
      lines.add("Stopped with this process (the work ran here, nothing of it goes on; its work files are removed): "
          + String.join(", ", o.stoppedHere()) + ". Build " + (o.stoppedHere().size() == 1 ? "it" : "them")
          + " again with: " + Cli.NAME + " retry --state " + o.stateFile());
    }
    if (o.journalFailure() != null) {
      lines.add("The state file could not be written (" + o.journalFailure() + "): do not resume from it.");
    }
    if (o.stateFile() != null && o.ending() != Outcome.Ending.SUBMITTED
        && o.ending() != Outcome.Ending.DEADLINE && o.ending() != Outcome.Ending.INTERRUPTED) {
      lines.add("State file: " + o.stateFile());
    }
    return lines;
  }

  /** Every target in aligned columns, with its whole link: the plain form of the live table. */
  static List<String> table(List<TargetStatus> targets) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"IMAGE", "SERIES", "ARCH", "STATE", "BUILD", "UPLOAD", "LINK"});
    for (TargetStatus t : targets) {
      TargetView v = TargetView.of(t);
      rows.add(new String[] {v.image(), v.series(), v.arch(), t.state().name(), Text.brief(v.buildState()),
          Text.brief(v.uploadState()), v.link()});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows.subList(1, rows.size())) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (int i = 0; i < widths.length; i++) {
      widths[i] = widths[i] == 0 ? 0 : Math.max(widths[i], rows.get(0)[i].length());
    }
    List<String> lines = new ArrayList<>();
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder(" ");
      for (int i = 0; i < r.length; i++) {
        if (widths[i] == 0) {
          continue; // a column no target has (no upload state outside Launchpad)
        }
        sb.append(' ').append(i == r.length - 1 ? r[i] : String.format("%-" + widths[i] + "s ", r[i]));
      }
      lines.add(sb.toString().stripTrailing());
    }
    return lines;
  }

  static String describe(TargetView v) {
    return (v.image() + " " + v.series() + " " + v.arch()).strip().replaceAll("\\s+", " ");
  }

  static List<String> planLines(List<Plan> plans) {
    List<String> lines = new ArrayList<>();
    int total = 0;
    for (Plan p : plans) {
      lines.add("Backend " + p.backend() + " would build " + p.targets().size()
          + (p.targets().size() == 1 ? " target:" : " targets:"));
      int w1 = width(p.targets(), "image", "IMAGE");
      int w2 = width(p.targets(), "series", "SERIES");
      int w3 = width(p.targets(), "arch", "ARCH");
      lines.add(String.format("  %-" + w1 + "s  %-" + w2 + "s  %-" + w3 + "s  %s", "IMAGE", "SERIES", "ARCH", "WHAT"));
      for (PlannedTarget t : p.targets()) {
        lines.add(String.format("  %-" + w1 + "s  %-" + w2 + "s  %-" + w3 + "s  %s",
            t.labels().getOrDefault("image", t.labels().getOrDefault("device", t.key())),
            t.labels().getOrDefault("series", ""), t.labels().getOrDefault("arch", ""),
            t.description() == null ? "" : t.description()));
      }
      p.notes().forEach(n -> lines.add("  note: " + n));
      total += p.targets().size();
    }
    lines.add("Dry run: nothing was submitted (" + total + (total == 1 ? " target" : " targets") + " planned).");
    return lines;
  }

  private static int width(List<PlannedTarget> targets, String label, String header) {
    int w = header.length();
    for (PlannedTarget t : targets) {
      String v = "image".equals(label)
          ? t.labels().getOrDefault("image", t.labels().getOrDefault("device", t.key()))
          : t.labels().getOrDefault(label, "");
      w = Math.max(w, v.length());
    }
    return w;
  }
}
