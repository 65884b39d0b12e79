package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.api.Ticket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code image-builder retry --state FILE}: builds the failed targets of a run again, through the
 * library's {@link BuildHandle#retry()}: each ended build with failed targets is re-attached from
 * its ticket and retried (Launchpad retries a failed build in place, or schedules a failed upload
 * again); its successes are kept. The retried builds get a state file of their own.
 */
@Command(name = "retry", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Build the failed targets of a state file again.",
    description = "Re-attaches to each build of a previous run that ended with failed targets and retries "
        + "those targets only (a failed build is retried in place where Launchpad allows it, a failed "
        + "upload is scheduled again); successes are kept. Builds still running are left alone. The "
        + "retried builds are journaled in a new state file (--new-state, or the default path).")
final class RetryCommand implements Callable<Integer> {
  /** How long re-attaching to an ended build may take to report its end. */
  private static final long ATTACH_SECONDS = 120;

  @ParentCommand RootCommand root;

  @Mixin JournalOptions journalOptions = new JournalOptions();

  @Option(names = "--wait", description = "Wait until every retried build has ended.")
  boolean wait;

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "Stop waiting after this long; the builds go on (exit status 4).")
  String timeout;

  @Option(names = "--target", paramLabel = "KEY",
      description = "Retry only this target (repeatable), such as redis/22.04/amd64; also an UNCONFIRMED one, "
          + "once its recipe's page shows that no build was requested for it.")
  List<String> targets = new ArrayList<>();

  @Option(names = "--new-state", paramLabel = "FILE",
      description = "The state file of the retried builds. Default: a new file beside the default ones.")
  Path newState;

  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() throws InterruptedException {
    Invocation invocation = root.invocation();
    FollowOptions follow = new FollowOptions();
    follow.timeout = timeout;
    follow.state = newState;
    Duration deadline = follow.timeout();
    StateJournal journal = StateJournal.read(journalOptions.state);
    List<StateJournal.Entry> failed = new ArrayList<>();
    List<String> running = new ArrayList<>();
    for (StateJournal.Entry e : journal.entries()) {
      if (!e.isDone()) {
        running.add(e.buildId());
      } else if (e.recorded().targets().stream().anyMatch(this::wanted)) {
        failed.add(e);
      }
    }
    Settings settings = journal.settings().overriddenBy(connection.settings());
    if (Settings.isDemo(settings) && !failed.isEmpty()) {
      throw new UsageException("--state: '" + journal.file() + "' records builds of '--launchpad demo', which lived in"
          + " that command's own fake Launchpad and stopped with it");
    }
    RunOutput out = output.create(invocation, wait);
    for (String id : running) {
      out.notice("build " + id + " is still running: not retried (follow it with '" + Cli.NAME
          + " resume --state " + journal.file() + "')");
    }
    if (failed.isEmpty()) {
      out.notice("Nothing to retry: no build of " + journal.file() + " ended with failed targets.");
      return running.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    }
    // The retried builds' tickets are recorded in their own state file before any remote call.
    StateJournal next = StateJournal.create(follow.stateFile(invocation), settings);
    try (Engine engine = Engine.open(settings, connection.config, invocation, next)) {
      List<BuildHandle> retried = new ArrayList<>();
      for (StateJournal.Entry e : failed) {
        BuildHandle ended = engine.builder().resume(new Ticket(e.ticket()));
        try {
          ended.result().get(ATTACH_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException ex) {
          // Reported below from the handle's status.
        }
        if (!ended.status().isDone() || ended.status() == dev.imagebuilder.api.BuildStatus.ERROR) {
          out.notice("build " + e.buildId() + " could not be re-attached (" + ended.status() + "): not retried");
          continue;
        }
        java.util.Set<String> keys = new java.util.LinkedHashSet<>();
        ended.targets().stream().filter(this::wanted).forEach(t -> keys.add(t.key()));
        if (keys.isEmpty()) {
          out.notice("build " + e.buildId() + " has no failed targets any more: not retried");
          continue;
        }
        retried.add(targets.isEmpty() ? ended.retry() : ended.retry(keys));
      }
      if (retried.isEmpty()) {
        return ExitCode.FAILED;
      }
      try (InterruptGuard guard = new InterruptGuard(invocation.ownsProcess())) {
        if (!output.json()) {
          out.notice("Retrying " + retried.stream().mapToInt(h -> h.targets().size()).sum()
              + " failed targets of " + journal.file() + "; state file: " + next.file());
        }
        BuildRun run = new BuildRun(out, next, deadline, timeout, FollowOptions.resumeCommand(next.file(), settings),
            engine::runsHere);
        return run.follow(retried, List.of(), wait ? BuildRun::allEnded : BuildRun::allSubmitted,
            wait ? Outcome.Ending.COMPLETED : Outcome.Ending.SUBMITTED, guard).exitCode();
      }
    }
  }

  /**
   * A target to retry: one named by --target (any that did not succeed, UNCONFIRMED included), or
   * without --target every failed one (never an UNCONFIRMED one, which might exist already).
   */
  private boolean wanted(TargetStatus t) {
    if (!targets.isEmpty()) {
      return targets.contains(t.key()) && t.state().isTerminal() && t.state() != dev.imagebuilder.api.TargetState.SUCCEEDED;
    }
    return t.state().isTerminal() && t.state().isFailure();
  }
}
