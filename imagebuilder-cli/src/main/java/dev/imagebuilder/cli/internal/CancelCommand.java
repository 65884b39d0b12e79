package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code image-builder cancel --state FILE}: ask the remote system to stop a run's builds. */
@Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Cancel the builds of a state file that are still running.",
    description = "Cancels the builds still running that a previous run recorded in its state file: each is "
        + "re-attached and Launchpad is asked to cancel what is still pending or building. "
        + "Best-effort and idempotent; the state file records the builds as cancelled.")
final class CancelCommand implements Callable<Integer> {
  private static final long CANCEL_SECONDS = 120;

  @ParentCommand RootCommand root;

  @Mixin JournalOptions journalOptions = new JournalOptions();
  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() throws InterruptedException {
    Invocation invocation = root.invocation();
    StateJournal journal = StateJournal.read(journalOptions.state);
    Settings settings = journal.settings().overriddenBy(connection.settings()).requireResumable(journal);
    journal.settings(settings);
    try (Engine engine = Engine.open(settings, connection.config, invocation, journal)) {
      RunOutput out = output.create(invocation, false);
      List<Outcome.BuildOutcome> builds = new ArrayList<>();
      boolean failed = false;
      for (StateJournal.Entry e : journal.entries()) {
        if (e.isDone()) {
          builds.add(e.recorded());
          continue;
        }
        BuildHandle h;
        try {
          h = engine.builder().resume(new Ticket(e.ticket()));
        } catch (InvalidRequestException | NoBackendAvailableException ex) {
          // Best-effort: a build that cannot be re-attached must not spare the others.
          String failure = "cannot re-attach: " + ex.getMessage();
          failed = true;
          journal.mark(e.buildId(), e.status(), failure, null);
          if (!output.json) {
            out.notice("build " + e.buildId() + ": cancel failed: " + failure);
          }
          Outcome.BuildOutcome recorded = e.recorded();
          builds.add(new Outcome.BuildOutcome(e.buildId(), e.backend(), recorded.status(), recorded.targets(), failure));
          continue;
        }
        String failure = null;
        try {
          h.cancel().get(CANCEL_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
          failure = Cli.unwrap(ex).getMessage();
        } catch (TimeoutException ex) {
          failure = "the remote cancel did not finish within " + CANCEL_SECONDS + "s";
        }
        failed |= failure != null;
        // The targets as the cancel left them, so that 'status' agrees with it.
        journal.mark(e.buildId(), failure == null ? "CANCELLED" : "RUNNING",
            failure == null ? "cancelled by '" + Cli.NAME + " cancel'" : failure,
            withRecordedLinks(h.targets(), e.recorded().targets()));
        if (!output.json) {
          out.notice("build " + e.buildId() + ": " + (failure == null ? "cancel sent" : "cancel failed: " + failure));
        }
        builds.add(new Outcome.BuildOutcome(h.id(), h.backend(), h.status(), h.targets(), failure));
      }
      Outcome outcome = new Outcome(Outcome.Ending.CANCELLED, builds, List.of(), journal.file(), null, null,
          failed ? ExitCode.FAILED : ExitCode.OK);
      out.end(outcome);
      return outcome.exitCode();
    }
  }

  /**
   * The targets as the cancel left them, keeping the links and outputs the run had recorded: a
   * build re-attached only to be cancelled has not read them from Launchpad again.
   */
  private static List<TargetStatus> withRecordedLinks(
      List<TargetStatus> now, List<TargetStatus> recorded) {
    Map<String, TargetStatus> byKey = new HashMap<>();
    recorded.forEach(t -> byKey.put(t.key(), t));
    return now.stream().map(t -> {
      TargetStatus was = byKey.get(t.key());
      if (was == null) {
        return t;
      }
      TargetStatus merged = t.webLink() == null && was.webLink() != null
          ? t.withLinks(was.webLink(), t.logUrl() != null ? t.logUrl() : was.logUrl()) : t;
      return merged.outputs().isEmpty() && !was.outputs().isEmpty() ? merged.withOutputs(was.outputs()) : merged;
    }).toList();
  }
}
