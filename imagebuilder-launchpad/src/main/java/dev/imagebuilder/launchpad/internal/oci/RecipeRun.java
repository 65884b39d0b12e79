package dev.imagebuilder.launchpad.internal.oci;

import java.net.URI;
import dev.imagebuilder.api.TargetState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code requestBuilds} on one recipe and what became of it: the build request, the
 * targets (by architecture) its builds serve, and the unwanted builds already cancelled. Its
 * phase changes only through the transitions below. Guarded by the owning job's lock.
 */
final class RecipeRun {
  /** A run's webhook: each creation and deletion is recorded before it is sent. */
  enum WebhookState {
    /** None (webhooks off, or not made). */
    NONE,
    /** newWebhook sent, no answer recorded: one may exist, at this run's delivery URL. */
    CREATING,
    /** The webhook exists at {@link #webhook}; deliveries drive this run. */
    ACTIVE,
    /** Its DELETE was sent. */
    DELETING,
    /** Deleted. */
    DELETED
  }

  enum Phase {
    /** requestBuilds not sent yet. */
    TO_REQUEST,
    /** requestBuilds sent, no answer yet. */
    REQUESTING,
    /** The build request exists and is Pending. */
    PENDING,
    /** The build request is Completed: its builds exist. */
    COMPLETED,
    /** requestBuilds was refused or the request Failed; {@link #error} says why. */
    FAILED,
    /** requestBuilds got no answer: Launchpad may or may not have a request; never re-sent blindly. */
    UNKNOWN
  }

  final String id;
  final Catalog.Entry entry;
  final URI recipe;
  /** Its push rules: a count, -1 if hidden, or {@link RecipeInfo#PUSH_RULES_UNREAD}. */
  int pushRules;
  /** Targets by architecture tag. */
  final Map<String, Target> targets = new LinkedHashMap<>();
  final Set<URI> cancelledUnwanted = new LinkedHashSet<>();
  /** Architectures whose builds belong to targets tracked elsewhere (kept by a retry): left alone. */
  final Set<String> ignored = new LinkedHashSet<>();
  URI buildRequest;
  /** The recipe's page on Launchpad, where a person can see its builds; may be null. */
  URI webLink;
  Phase phase = Phase.TO_REQUEST;
  String error;
  /** A call about this run is in flight: the cycle does not start another. */
  boolean busy;
  /** A requestBuilds refused with Retry-After is not sent again before this, or {@code null}. */
  Instant notBefore;
  /** The requestBuilds call in flight (phase REQUESTING), for a cancel that must wait for it. */
  CompletableFuture<?> requesting;
  int consecutiveFailures;
  /** The build request's {@code http_etag} last read, for a conditional GET; or {@code null}. */
  String requestEtag;
  /** What the builds collection showed last ({@link BuildsPoller#whatMatters}), or {@code null}. */
  String buildsSeen;
  /** Where this run's webhook is ({@code newWebhook}'s answer), or {@code null}. */
  URI webhook;
  /** The delivery URL given to newWebhook (to find a webhook whose creation got no answer). */
  URI webhookDelivery;
  /** What this process knows of the run's webhook (recorded in the ticket). */
  WebhookState webhookState = WebhookState.NONE;
  /** The next read about this run is not due before this (polling back-off), or {@code null}. */
  Instant nextPollAt;
  /** Reads in a row that showed nothing new: each doubles the wait before the next one. */
  int quietReads;
  /**
   * When Launchpad expects the first of this run's running builds to end (the earliest {@code eta}
   * of a build being built, at the last read of the builds), or {@code null}.
   */
  Instant expectedEnd;
  /** The expected end the next read was brought forward to, or {@code null}. */
  Instant awaitedEnd;
  /**
   * The next read looks at the builds of the request, which was Pending at its last read, rather
   * than at the request itself. While a request is Pending the reads alternate: Launchpad's job
   * creates the builds and then marks the request Completed, so its builds show a completed
   * request at once (the request would say Completed, and its builds need a read anyway), while
   * only the request's status tells a job still running from one that Failed.
   */
  boolean probeBuildsNext;

  RecipeRun(String id, Catalog.Entry entry, URI recipe, int pushRules) {
    this.id = id;
    this.entry = entry;
    this.recipe = recipe;
    this.pushRules = pushRules;
  }

  boolean publishes() {
    return pushRules > 0;
  }

  boolean pushRulesUnread() {
    return pushRules == RecipeInfo.PUSH_RULES_UNREAD;
  }

  /**
   * A read about this run at {@code now} showed something new ({@code changed}) or not: the next
   * read is due one base interval later after a change, or while any target is publishing (the
   * last step, watched closely so the build's end is seen within one interval); otherwise the
   * wait doubles with each quiet read, up to {@code cap}.
   *
   * <p>A long build would otherwise be read only every {@code cap} by the time it ends, and its
   * last steps (gathering, uploading, the registry upload), shorter than that, could all pass
   * between two reads: its end seen up to {@code cap} late. So the wait does not run past the
   * {@link #expectedEnd} Launchpad gives, and the first read at or after it counts as a change:
   * the build is watched at the base interval from when Launchpad expects it to end. An eta only
   * ever brings a read forward, so an estimate that is wrong, or a clock that is not Launchpad's,
   * costs a few reads at most, never a later one.
   */
  void read(boolean changed, Instant now, Duration base, Duration cap) {
    boolean publishing = targets.values().stream().anyMatch(t -> t.status.state() == TargetState.PUBLISHING);
    if (webhookState == WebhookState.ACTIVE || webhookState == WebhookState.CREATING) {
      // Deliveries drive the run: reads only cover lost ones, at the longest interval (a
      // webhook whose creation fails brings the next read forward).
      nextPollAt = now.plus(cap);
      return;
    }
    boolean endDue = awaitedEnd != null && !now.isBefore(awaitedEnd);
    quietReads = changed || publishing || endDue ? 0 : quietReads + 1;
    Duration wait = base;
    for (int i = 0; i < quietReads && wait.compareTo(cap) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    nextPollAt = now.plus(wait.compareTo(cap) > 0 ? cap : wait);
    awaitedEnd = null;
    if (expectedEnd != null && expectedEnd.isBefore(nextPollAt) && expectedEnd.isAfter(now)) {
      // Never sooner than one base interval: an expected end is no reason to read more often.
      Instant earliest = now.plus(base);
      nextPollAt = expectedEnd.isAfter(earliest) ? expectedEnd : earliest;
      awaitedEnd = expectedEnd;
    }
  }

  /** True when a read is due at a cycle starting {@code now} (half an interval early is on time). */
  boolean dueForRead(Instant now, Duration base) {
    return nextPollAt == null || !now.plus(base.dividedBy(2)).isBefore(nextPollAt);
  }

  /** True while some target of this run can still change. */
  boolean open() {
    return targets.values().stream().anyMatch(Target::open);
  }

  /** True when the cycle should send this run's requestBuilds at {@code now}. */
  boolean dueForRequest(Instant now) {
    return phase == Phase.TO_REQUEST && (notBefore == null || !now.isBefore(notBefore));
  }

  /** Its requestBuilds is about to be recorded as sent. */
  void requesting() {
    busy = true;
    phase = Phase.REQUESTING;
  }

  /** The intent could not be recorded, so the requestBuilds was not sent. */
  void requestNotSent() {
    busy = false;
    phase = Phase.TO_REQUEST;
  }

  /** Launchpad made build request {@code location}. */
  void requested(URI location) {
    busy = false;
    buildRequest = location;
    phase = Phase.PENDING;
  }

  /** Launchpad certainly made no build request: it may be asked again (not before {@code notBefore}). */
  void notRequested(Instant notBefore) {
    phase = Phase.TO_REQUEST;
    if (notBefore != null) {
      this.notBefore = notBefore;
    }
  }

  /** The requestBuilds got no answer: whether Launchpad made a request is unknown. */
  void unconfirmed(String why) {
    phase = Phase.UNKNOWN;
    error = why;
  }

  /** The build request is Completed: its builds exist. */
  void completed() {
    phase = Phase.COMPLETED;
    probeBuildsNext = false;
  }

  /** A read of the build request said Pending: the next read looks at its builds. */
  void stillPending() {
    probeBuildsNext = true;
  }

  /** The builds are being looked at: the read after that looks at the request again. */
  void probing() {
    probeBuildsNext = false;
  }

  /** The request was refused or Failed (an UNKNOWN run stays unknown: its error says more). */
  void failed(String why) {
    if (phase != Phase.UNKNOWN) {
      phase = Phase.FAILED;
    }
    error = why;
  }

  /**
   * After a restore from a ticket of {@code format}: a requestBuilds that was sent without its
   * answer being recorded is UNKNOWN; one recorded as not sent yet (write-ahead tickets, format 2
   * and later) was certainly not sent.
   */
  void restored(int format) {
    boolean neverSent = phase == Phase.TO_REQUEST && format >= 2;
    if (phase == Phase.REQUESTING || (phase == Phase.TO_REQUEST && !neverSent)) {
      phase = Phase.UNKNOWN;
    }
  }

  /** Gives up architecture {@code arch}: its build here belongs to a target tracked elsewhere. */
  void release(String arch) {
    targets.remove(arch);
    ignored.add(arch);
  }
}
