package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.time.Instant;

/** One (image, series, architecture) being tracked. Guarded by the owning job's lock. */
final class Target {
  final String key;
  final String arch;
  RecipeRun run;
  TargetStatus status;
  /** The build serving this target, once Launchpad created it. */
  URI build;
  /** Registry uploads scheduled by this library for the current build. */
  int uploadAttempts;
  /** When the next automatic upload retry is due, or {@code null}. */
  Instant nextUploadAt;
  /** When the last scheduleRegistryUpload was sent: older observations are stale. */
  Instant uploadPostedAt;
  boolean uploadInFlight;
  /**
   * Launchpad's text when it refused our scheduleRegistryUpload for good (no files, no push
   * rules): no automatic retry after that, or {@code null}.
   */
  String uploadRefusal;
  /** Since when a built image with push rules has had no upload scheduled. */
  Instant unscheduledSince;

  Target(String key, String arch, RecipeRun run, TargetStatus status) {
    this.key = key;
    this.arch = arch;
    this.run = run;
    this.status = status;
  }
}
