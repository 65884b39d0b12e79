package dev.imagebuilder.cli.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.PlannedTarget;
import dev.imagebuilder.api.TargetStatus;
import java.io.PrintStream;
import java.util.List;

/**
 * Schema {@code image-builder/1} (docs/cli.md). Streaming (with --wait, resume): one JSON object
 * per line for each event, then a {@code "kind": "summary"} line. Otherwise: a single document,
 * the summary, at the end. Remarks for people go to stderr so stdout stays JSON.
 */
final class JsonOutput implements RunOutput {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean streaming;
  private final boolean verbose;
  private final BuildLogs logs;

  JsonOutput(PrintStream out, PrintStream err, boolean streaming, boolean verbose, BuildLogs logs) {
    this.out = out;
    this.err = err;
    this.streaming = streaming;
    this.verbose = verbose;
    this.logs = logs;
  }

  @Override
  public synchronized void begin(List<BuildHandle> handles) {
    if (!streaming) {
      return;
    }
    for (BuildHandle h : handles) {
      ObjectNode n = event("following", h.id());
      n.put("backend", h.backend());
      n.put("image_type", h.request().imageType());
      n.put("status", h.status().name());
      ArrayNode targets = n.putArray("targets");
      h.targets().forEach(t -> targets.add(Json.target(t)));
      emit(n);
    }
  }

  @Override
  public synchronized void event(BuildEvent event) {
    if (!streaming) {
      return;
    }
    if (event instanceof BuildEvent.TargetStateChanged c) {
      ObjectNode n = event("target", c.buildId());
      n.put("time", c.time().toString());
      n.put("previous_state", c.previous() == null ? null : c.previous().state().name());
      n.set("target", Json.target(c.current()));
      emit(n);
    } else if (event instanceof BuildEvent.RetryScheduled r) {
      ObjectNode n = event("retry", r.buildId());
      n.put("time", r.time().toString());
      n.put("key", r.targetKey());
      n.put("action", r.action());
      n.put("attempt", r.attempt());
      n.put("max_attempts", r.maxAttempts());
      n.put("delay_seconds", r.delay() == null ? 0 : r.delay().toMillis() / 1000.0);
      n.put("reason", r.reason());
      emit(n);
    } else if (event instanceof BuildEvent.Progress p) {
      ObjectNode n = event("progress", p.buildId());
      n.put("time", p.time().toString());
      n.put("key", p.targetKey());
      n.put("fraction", p.fraction());
      n.put("message", p.message());
      emit(n);
    } else if (event instanceof BuildEvent.LogLine l && verbose) {
      ObjectNode n = event("log", l.buildId());
      n.put("time", l.time().toString());
      n.put("key", l.targetKey());
      n.put("line", l.line());
      emit(n);
    } else if (event instanceof BuildEvent.Completed c) {
      ObjectNode n = event("completed", c.buildId());
      n.put("time", c.time().toString());
      n.put("status", c.status().name());
      n.put("failure", c.failure());
      emit(n);
    }
  }

  @Override
  public synchronized void notice(String line) {
    err.println(Text.clean(line));
    err.flush();
  }

  @Override
  public synchronized void end(Outcome o) {
    ObjectNode n = Json.document("summary");
    n.put("outcome", o.ending().name().toLowerCase(java.util.Locale.ROOT));
    n.put("exit_code", o.exitCode());
    n.put("state_file", o.stateFile() == null ? null : o.stateFile().toString());
    n.put("resume_command", o.resumeCommand());
    var stopped = n.putArray("stopped_with_process");
    o.stoppedHere().forEach(stopped::add);
    n.put("state_file_error", o.journalFailure());
    List<TargetStatus> all = o.allTargets();
    ObjectNode counts = n.putObject("counts");
    counts.put("targets", all.size());
    all.forEach(t -> {
      String k = t.state().name().toLowerCase(java.util.Locale.ROOT);
      counts.put(k, counts.path(k).asInt(0) + 1);
    });
    ArrayNode builds = n.putArray("builds");
    for (Outcome.BuildOutcome b : o.builds()) {
      ObjectNode bn = builds.addObject();
      bn.put("build_id", b.buildId());
      bn.put("backend", b.backend());
      bn.put("status", b.status().name());
      bn.put("failure", b.failure());
      ArrayNode targets = bn.putArray("targets");
      b.targets().forEach(t -> targets.add(Json.target(t)));
    }
    ArrayNode failed = n.putArray("failed");
    o.failedTargets().forEach(t -> failed.add(Json.target(t)));
    ArrayNode rejected = n.putArray("rejected");
    for (Outcome.Rejected r : o.rejected()) {
      ObjectNode rn = rejected.addObject();
      rn.put("index", r.index());
      rn.put("image_type", r.imageType());
      rn.put("reason", r.reason());
    }
    ArrayNode saved = n.putArray("logs_saved");
    logs.download(o).forEach(saved::add);
    out.println(streaming ? Json.line(n) : Json.pretty(n));
    out.flush();
  }

  @Override
  public synchronized void plans(List<Plan> plans) {
    ObjectNode n = Json.document("plan");
    ArrayNode list = n.putArray("plans");
    int total = 0;
    for (Plan p : plans) {
      ObjectNode pn = list.addObject();
      pn.put("backend", p.backend());
      pn.put("image_type", p.request().imageType());
      ArrayNode targets = pn.putArray("targets");
      for (PlannedTarget t : p.targets()) {
        targets.add(Json.planned(t));
      }
      ArrayNode notes = pn.putArray("notes");
      p.notes().forEach(notes::add);
      total += p.targets().size();
    }
    n.put("targets", total);
    out.println(Json.pretty(n));
    out.flush();
  }

  private static ObjectNode event(String event, String buildId) {
    ObjectNode n = Json.document("event");
    n.put("event", event);
    n.put("build_id", buildId);
    return n;
  }

  private void emit(ObjectNode n) {
    out.println(Json.line(n));
    out.flush();
  }
}
