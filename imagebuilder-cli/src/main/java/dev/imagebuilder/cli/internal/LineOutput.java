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

  LineOutput(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized void begin(List<BuildHandle> handles) {
    for (BuildHandle h : handles) {
      out.println("build " + h.id() + " (" + h.backend() + ", " + h.request().imageType() + "): "
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
          sb.append(": ").append(t.errorSummary());
        }
        if (t.webLink() != null) {
          sb.append(' ').append(t.webLink());
        }
        out.println(sb);
    } else if (event instanceof BuildEvent.RetryScheduled r) {
      out.println(time + " " + r.targetKey() + ": " + r.action()
          + " retry " + r.attempt() + " of " + r.maxAttempts() + " in " + Durations.human(r.delay())
          + (r.reason() == null ? "" : " (" + r.reason() + ")"));
    } else if (event instanceof BuildEvent.Completed c) {
      out.println(time + " build " + c.buildId() + ": " + c.status()
          + (c.failure() == null ? "" : ": " + c.failure()));
    }
    out.flush();
  }

  @Override
  public synchronized void notice(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public synchronized void end(Outcome outcome) {
    Summary.lines(outcome).forEach(out::println);
    out.flush();
  }

  @Override
  public synchronized void plans(List<Plan> plans) {
    Summary.planLines(plans).forEach(out::println);
    out.flush();
  }
}
