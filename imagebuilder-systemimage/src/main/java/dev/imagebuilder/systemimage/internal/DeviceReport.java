package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.TargetState;

/** What one device's publication steps tell the build: state, progress, log lines, cancellation. */
interface DeviceReport {
  void state(TargetState state, String raw);

  void progress(double fraction, String message);

  void log(String line);

  /**
   * Records, before anything is written into the published tree, the {@code version_detail}
   * (without its {@code version=}) of the image about to be published: a resume finds it there
   * or knows it was not published (DESIGN 4.9).
   */
  void publishing(String versionDetail);

  /** Throws when the build was cancelled, so a step stops between its pieces of work. */
  void checkCancelled() throws InterruptedException;
}
