package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.Plan;
import java.util.List;

/**
 * Where a run reports to: a live table on a terminal, plain lines in a pipe, or JSON. Events
 * arrive from the engine's event threads; implementations are thread-safe.
 */
interface RunOutput {
  /** The builds are submitted (or re-attached) and will be followed. */
  void begin(List<BuildHandle> handles);

  void event(BuildEvent event);

  /** A remark for people (not part of JSON event streams). */
  void notice(String line);

  /** The end: the summary. */
  void end(Outcome outcome);

  /** A dry run's plans. */
  void plans(List<Plan> plans);
}
