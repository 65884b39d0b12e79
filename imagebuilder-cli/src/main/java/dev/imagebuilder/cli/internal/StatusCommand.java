package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildListener;
import dev.imagebuilder.api.Ticket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code image-builder status --state FILE}: where a run's builds stand now. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Show where the builds of a state file stand.",
    description = "Shows where the builds of a previous run stand: each build still running is re-attached, "
        + "looked at until the backend's reports settle, and left running (nothing is submitted or "
        + "cancelled). With --offline, shows what the state file recorded, without any request. "
        + "Exit status 1 when a target has failed, else 0.")
final class StatusCommand implements Callable<Integer> {
  /** Reports that stop for this long are taken to have settled. */
  private static final Duration QUIET = Duration.ofMillis(1500);

  @ParentCommand RootCommand root;

  @Mixin JournalOptions journalOptions = new JournalOptions();

  @Option(names = "--offline", description = "Show the recorded states; make no request.")
  boolean offline;

  @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "30s",
      description = "Look at most this long for fresh states (default ${DEFAULT-VALUE}).")
  String settle;

  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    StateJournal journal = StateJournal.read(journalOptions.state);
    Duration most = Durations.parse("--settle", settle, Duration.ofHours(1));
    output.online = !offline;
    RunOutput out = output.create(invocation, false);
    List<Outcome.BuildOutcome> recorded = new ArrayList<>();
    List<StateJournal.Entry> running = new ArrayList<>();
    for (StateJournal.Entry e : journal.entries()) {
      if (offline || (e.isDone() && !cancelPending(e))) {
        recorded.add(asRecorded(e));
      } else {
        running.add(e);
      }
    }
    if (running.isEmpty()) {
      return report(out, journal, recorded, List.of());
    }
    Settings settings = journal.settings().overriddenBy(connection.settings()).requireResumable(journal);
    try (Engine engine = Engine.open(settings, connection.config, invocation)) {
      AtomicReference<Instant> lastReport = new AtomicReference<>(Instant.now());
      List<BuildHandle> handles = new ArrayList<>();
      List<BuildListener.Subscription> subscriptions = new ArrayList<>();
      for (StateJournal.Entry e : running) {
        BuildHandle h = engine.builder().resume(new Ticket(e.ticket()));
        handles.add(h);
        subscriptions.add(h.subscribe(ev -> {
          if (ev instanceof BuildEvent.TargetStateChanged || ev instanceof BuildEvent.Completed) {
            lastReport.set(Instant.now());
          }
        }));
      }
      Instant until = Instant.now().plus(most);
      try {
        while (Instant.now().isBefore(until)
            && !handles.stream().allMatch(h -> h.status().isDone())
            && Duration.between(lastReport.get(), Instant.now()).compareTo(QUIET) < 0) {
          Thread.sleep(100);
        }
      } catch (InterruptedException ex) {
        // show what is known so far
      }
      subscriptions.forEach(BuildListener.Subscription::close);
      // The fresh states go into the journal too; closed before the engine detaches the builds.
      journal.settings(settings);
      handles.forEach(journal::track);
      journal.close();
      return report(out, journal, recorded, handles);
    }
  }

  /**
   * A build {@code cancel} asked to stop, recorded with targets that had not ended yet: status
   * looks again (online) so that it shows what the cancel did, as {@code cancel} reported it.
   */
  private static boolean cancelPending(StateJournal.Entry e) {
    return e.status().equals(dev.imagebuilder.api.BuildStatus.CANCELLED.name())
        && e.recorded().targets().stream().anyMatch(t -> !t.state().isTerminal());
  }

  /**
   * The build as recorded; in a build {@code cancel} stopped, a target recorded before the cancel
   * was confirmed is shown CANCELLING (cancel requested), never as still building.
   */
  private static Outcome.BuildOutcome asRecorded(StateJournal.Entry e) {
    Outcome.BuildOutcome b = e.recorded();
    if (!cancelPending(e)) {
      return b;
    }
    List<dev.imagebuilder.api.TargetStatus> targets = b.targets().stream()
        .map(t -> t.state().isTerminal() ? t : new dev.imagebuilder.api.TargetStatus(t.key(), t.labels(),
            dev.imagebuilder.api.TargetState.CANCELLING, t.rawState(), t.webLink(), t.logUrl(), t.errorSummary(),
            t.outputs(), t.attempt()))
        .toList();
    return new Outcome.BuildOutcome(b.buildId(), b.backend(), b.status(), targets, b.failure());
  }

  private int report(RunOutput out, StateJournal journal, List<Outcome.BuildOutcome> recorded, List<BuildHandle> handles) {
    BuildRun run = new BuildRun(out, journal, null, null, FollowOptions.resumeCommand(journal.file()), h -> false);
    Outcome o = run.outcome(Outcome.Ending.SNAPSHOT, handles, recorded, List.of());
    boolean failed = o.failedTargets().stream().anyMatch(t -> t.state().isFailure())
        || o.builds().stream().anyMatch(b -> b.status() == dev.imagebuilder.api.BuildStatus.ERROR
            || b.status() == dev.imagebuilder.api.BuildStatus.FAILED);
    Outcome shown = new Outcome(o.ending(), o.builds(), o.rejected(), o.stateFile(), null,
        o.builds().stream().anyMatch(b -> !b.status().isDone()) ? FollowOptions.resumeCommand(journal.file()) : null,
        failed ? ExitCode.FAILED : ExitCode.OK);
    out.end(shown);
    return shown.exitCode();
  }
}
