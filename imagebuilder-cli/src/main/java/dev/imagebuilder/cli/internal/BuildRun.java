package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * Follows submitted (or re-attached) builds to the end the user asked for: every build ended
 * (--wait), or every target submitted; or until the local deadline passes or Ctrl-C. Reports
 * every event to the output and keeps the state journal current, then summarizes and chooses the
 * exit status. Never cancels anything.
 */
final class BuildRun {
  private static final long WAKE_MILLIS = 250;

  private final RunOutput output;
  private final StateJournal journal;
  private final Duration timeout;
  private final String timeoutText;
  private final String resumeCommand;
  private final Predicate<BuildHandle> runsHere;
  private final Object monitor = new Object();
  /** Why the state file could not be written, once it could not. */
  private volatile String journalFailure;

  BuildRun(RunOutput output, StateJournal journal, Duration timeout, String timeoutText, String resumeCommand,
      Predicate<BuildHandle> runsHere) {
    this.output = output;
    this.journal = journal;
    this.timeout = timeout;
    this.timeoutText = timeoutText;
    this.resumeCommand = resumeCommand;
    this.runsHere = runsHere;
  }

  /** Until every build has ended. */
  static boolean allEnded(BuildHandle h) {
    return h.status().isDone();
  }

  /**
   * Until every target is submitted: the remote service has reported it (it has a web link there
   * and a state in the service's own words: for Launchpad, once requestBuilds was answered) or it
   * has ended. Work done in this process (cloud, touch) has no remote web link, so it is waited
   * for: leaving would stop it.
   */
  static boolean allSubmitted(BuildHandle h) {
    if (h.status().isDone()) {
      return true;
    }
    List<TargetStatus> targets = h.targets();
    return !targets.isEmpty() && targets.stream().allMatch(t -> (t.webLink() != null && t.rawState() != null) || t.state().isTerminal());
  }

  Outcome follow(List<BuildHandle> handles, List<Outcome.Rejected> rejected, Predicate<BuildHandle> until,
      Outcome.Ending reached, InterruptGuard guard) {
    return follow(handles, List.of(), rejected, until, reached, guard);
  }

  /**
   * Follows {@code handles}; {@code recorded} are builds that had already ended (a resumed
   * journal's), counted in the summary.
   */
  Outcome follow(List<BuildHandle> handles, List<Outcome.BuildOutcome> recorded, List<Outcome.Rejected> rejected,
      Predicate<BuildHandle> until, Outcome.Ending reached, InterruptGuard guard) {
    List<BuildListener.Subscription> subscriptions = new ArrayList<>();
    Outcome outcome;
    try {
      for (BuildHandle h : handles) {
        journaling(() -> journal.track(h));
      }
      output.begin(handles);
      for (BuildHandle h : handles) {
        subscriptions.add(h.subscribe(event -> onEvent(h, event)));
      }
      Outcome.Ending ending = await(handles, until, reached);
      subscriptions.forEach(BuildListener.Subscription::close);
      for (BuildHandle h : handles) {
        if (h.status().isDone()) {
          journaling(() -> journal.ended(h, failure(h)));
        }
      }
      journaling(journal::close);
      outcome = outcome(ending, handles, recorded, rejected);
      output.end(outcome);
    } finally {
      subscriptions.forEach(BuildListener.Subscription::close);
      journaling(journal::close);
      guard.close();
    }
    return outcome;
  }

  /**
   * Runs a write of the state file. Once builds were submitted a failure to write it must not
   * stop the run (the builds exist) nor read as "nothing submitted": it is told once, and the
   * exit status is at least 1.
   */
  private void journaling(Runnable write) {
    try {
      write.run();
    } catch (ImageBuildException e) {
      if (journalFailure == null) {
        journalFailure = e.getMessage();
        output.notice("Warning: " + e.getMessage() + "; the builds go on, but this run cannot be resumed from it");
      }
    }
  }

  private void onEvent(BuildHandle h, BuildEvent event) {
    output.event(event);
    if (event instanceof BuildEvent.Completed) {
      journaling(() -> journal.ended(h, failure(h)));
    }
    // Other changes reach the journal through its refresher, at most half a second later: one
    // write per change would rewrite the whole file thousands of times in a mass rebuild.
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  private Outcome.Ending await(List<BuildHandle> handles, Predicate<BuildHandle> until, Outcome.Ending reached) {
    Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
    synchronized (monitor) {
      while (!handles.stream().allMatch(until)) {
        long wait = WAKE_MILLIS;
        if (deadline != null) {
          long left = Duration.between(Instant.now(), deadline).toMillis();
          if (left <= 0) {
            return Outcome.Ending.DEADLINE;
          }
          wait = Math.min(wait, left);
        }
        try {
          monitor.wait(wait);
        } catch (InterruptedException e) {
          // Ctrl-C or the caller: stop waiting, cancel nothing. The flag is not set again so that
          // the journal and the engine can still close cleanly.
          return Outcome.Ending.INTERRUPTED;
        }
      }
    }
    return handles.stream().allMatch(h -> h.status().isDone()) ? Outcome.Ending.COMPLETED : reached;
  }

  Outcome outcome(Outcome.Ending ending, List<BuildHandle> handles, List<Outcome.BuildOutcome> recorded,
      List<Outcome.Rejected> rejected) {
    List<Outcome.BuildOutcome> builds = new ArrayList<>(recorded);
    boolean auth = false;
    boolean bad = !rejected.isEmpty() || recorded.stream().anyMatch(b -> b.status() != BuildStatus.SUCCEEDED);
    for (BuildHandle h : handles) {
      BuildStatus status = h.status();
      String failure = failure(h);
      Throwable error = error(h);
      auth |= error instanceof AuthenticationException;
      bad |= status == BuildStatus.FAILED || status == BuildStatus.ERROR || status == BuildStatus.CANCELLED
          || h.targets().stream().anyMatch(t -> t.state().isTerminal() && t.state().isFailure());
      builds.add(new Outcome.BuildOutcome(h.id(), h.backend(), status, h.targets(), failure));
    }
    int exit = switch (ending) {
      case INTERRUPTED -> ExitCode.INTERRUPTED;
      case DEADLINE -> ExitCode.DEADLINE;
      default -> auth ? ExitCode.AUTH : bad || journalFailure != null ? ExitCode.FAILED : ExitCode.OK;
    };
    boolean remoteRunning = handles.stream().anyMatch(h -> !h.status().isDone() && !runsHere.test(h));
    // Work running in this process stops with it (the engine's close stops it and removes its work
    // files): it is not "going on", and says so.
    List<String> stoppedHere = ending == Outcome.Ending.COMPLETED ? List.of()
        : handles.stream().filter(h -> !h.status().isDone() && runsHere.test(h)).map(BuildHandle::id).toList();
    return new Outcome(ending, builds, rejected, journal.file(), timeoutText,
        remoteRunning ? resumeCommand : null, exit, stoppedHere, journalFailure);
  }

  /** Why tracking a build failed or stopped, or null. */
  static String failure(BuildHandle h) {
    Throwable e = error(h);
    if (e == null) {
      return null;
    }
    return e instanceof CancellationException ? "cancelled" : e.getMessage();
  }

  private static Throwable error(BuildHandle h) {
    if (!h.result().isDone() || !h.result().isCompletedExceptionally()) {
      return null;
    }
    try {
      h.result().join();
      return null;
    } catch (CancellationException e) {
      return e;
    } catch (CompletionException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }
}
