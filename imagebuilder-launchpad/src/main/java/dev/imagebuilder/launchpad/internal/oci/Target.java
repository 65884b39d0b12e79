package dev.imagebuilder.launchpad.internal.oci;

import dev.imagebuilder.api.TargetStatus;
import java.net.URI;
import java.time.Instant;

/**
 * One (image, series, architecture) being tracked, with its own transitions (moving to a new
 * run, the registry-upload retry book-keeping). Guarded by the owning job's lock: every method
 * is called with {@link JobBook}'s monitor held.
 */
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

  /**
   * Leaves its run (whose build of this architecture is then left alone) for {@code to}, which
   * will make a new build: everything known about the old build is forgotten.
   */
  void moveTo(RecipeRun to) {
    run.release(arch);
    run = to;
    to.targets.put(arch, this);
    build = null;
    uploadAttempts = 0;
    nextUploadAt = null;
    uploadPostedAt = null;
    unscheduledSince = null;
    uploadRefusal = null;
  }

  /** A retry asked for by a person: the upload policy starts over. */
  void uploadPolicyReset() {
    uploadAttempts = 0;
    uploadRefusal = null;
  }

  /** A scheduleRegistryUpload is about to be sent; returns its attempt number. */
  int uploadScheduled() {
    uploadInFlight = true;
    nextUploadAt = null;
    return ++uploadAttempts;
  }

  /** The scheduleRegistryUpload got its answer (whatever it was) at {@code now}. */
  void uploadAnswered(Instant now) {
    uploadInFlight = false;
    uploadPostedAt = now;
  }

  /** True when an automatic upload retry is due at {@code now} and none is in flight. */
  boolean uploadDue(Instant now) {
    return nextUploadAt != null && !uploadInFlight && !now.isBefore(nextUploadAt);
  }

  /** True when a read started at {@code pollStarted} predates our last scheduleRegistryUpload. */
  boolean staleForUpload(Instant pollStarted) {
    return uploadInFlight || (uploadPostedAt != null && pollStarted.isBefore(uploadPostedAt));
  }

  /** True while this target may still change (not terminal, or an upload retry is pending). */
  boolean open() {
    return !status.state().isTerminal() || nextUploadAt != null;
  }
}
