package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.TargetState;

/** What one device's publication steps tell the build: state, progress, log lines, cancellation. */
interface DeviceReport {
  void state(TargetState state, String raw);

  void progress(double fraction, String message);

  void log(String line);

  /** Throws when the build was cancelled, so a step stops between its pieces of work. */
  void checkCancelled() throws InterruptedException;
}
