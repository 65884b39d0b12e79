package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TargetStatus;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** For pipes and logs: one plain line per state change, then the summary. */
final class LineOutput implements RunOutput {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final PrintStream out;
  private final boolean verbose;
  private final BuildLogs logs;
  /** Per target: the last progress step printed (tenths), so a download prints ten lines, not thousands. */
  private final java.util.Map<String, Integer> progressShown = new java.util.HashMap<>();

  LineOutput(PrintStream out, boolean verbose, BuildLogs logs) {
    this.out = out;
    this.verbose = verbose;
    this.logs = logs;
  }

  private void print(String line) {
    out.println(Text.clean(line));
  }

  @Override
  public synchronized void begin(List<BuildHandle> handles) {
    for (BuildHandle h : handles) {
      print("build " + h.id() + " (" + h.backend() + ", " + h.request().imageType() + "): "
          + (h.status().isDone() ? h.status() : "following"));
    }
    out.flush();
  }

  @Override
  public synchronized void event(BuildEvent event) {
    String time = TIME.format(event.time());
    if (event instanceof BuildEvent.TargetStateChanged c) {
        TargetStatus t = c.current();
        TargetStatus p = c.previous();
        if (p != null && p.state() == t.state() && java.util.Objects.equals(p.rawState(), t.rawState())
            && java.util.Objects.equals(p.webLink(), t.webLink())) {
          return; // only a detail changed: not a state change
        }
        TargetView v = TargetView.of(t);
        StringBuilder sb = new StringBuilder(time).append(' ').append(Summary.describe(v)).append(": ")
            .append(t.state());
        if (t.rawState() != null) {
          sb.append(" (").append(t.rawState()).append(')');
        }
        if (t.attempt() > 1) {
          sb.append(" attempt ").append(t.attempt());
        }
        if (t.errorSummary() != null && t.state().isFailure()) {
          sb.append(": ").append(Text.brief(t.errorSummary()));
        }
        if (t.webLink() != null) {
          sb.append(' ').append(t.webLink());
        }
        print(sb.toString());
    } else if (event instanceof BuildEvent.RetryScheduled r) {
      print(time + " " + r.targetKey() + ": " + r.action()
          + " retry " + r.attempt() + " of " + r.maxAttempts() + " in " + Durations.human(r.delay())
          + (r.reason() == null ? "" : " (" + Text.brief(r.reason()) + ")"));
    } else if (event instanceof BuildEvent.Progress p) {
      int step = p.fraction() < 0 ? -1 : (int) Math.floor(Math.min(1, p.fraction()) * 10);
      Integer last = progressShown.put(p.buildId() + " " + p.targetKey(), step);
      if (last == null || last != step) {
        print(time + " " + p.targetKey() + ": " + (step < 0 ? "" : (step * 10) + "% ")
            + Text.brief(p.message()));
      }
    } else if (event instanceof BuildEvent.LogLine l) {
      if (verbose) {
        print(time + " " + l.targetKey() + " | " + l.line());
      }
    } else if (event instanceof BuildEvent.Completed c) {
      // Why tracking failed is in the summary, once.
      print(time + " build " + c.buildId() + ": " + c.status());
    }
    out.flush();
  }

  @Override
  public synchronized void notice(String line) {
    print(line);
    out.flush();
  }

  @Override
  public synchronized void end(Outcome outcome) {
    Summary.lines(outcome, logs.tails(outcome), true).forEach(this::print);
    logs.download(outcome).forEach(this::print);
    out.flush();
  }

  @Override
  public synchronized void plans(List<Plan> plans) {
    Summary.planLines(plans).forEach(this::print);
    out.flush();
  }
}
