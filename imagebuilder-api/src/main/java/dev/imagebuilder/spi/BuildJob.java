package dev.imagebuilder.spi;

import java.util.Map;

/** A backend's side of one build. */
public interface BuildJob {
  /**
   * Asks the remote system to cancel what is still running. Best-effort and idempotent; called
   * off the polling thread and may block. The core has already stopped the tasks this job
   * scheduled through its context.
   */
  void cancel();

  /**
   * The state needed to re-attach to this build: remote references (URLs, ids) and attempt
   * counts, as JSON-compatible values (String, Number, Boolean, List, Map). Never secrets.
   * Called at any time, from any thread.
   */
  Map<String, Object> state();
}
