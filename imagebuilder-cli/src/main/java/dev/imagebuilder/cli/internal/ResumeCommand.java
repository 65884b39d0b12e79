package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.Ticket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code image-builder resume --state FILE}: re-attach to a run's builds and wait for their end. */
@Command(name = "resume", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Re-attach to the builds of a state file and wait for their end.",
    description = "Re-attaches to the builds a previous run recorded in its state file and waits until they "
        + "end, submitting nothing new; upload retries the run asked for go on. Builds that had "
        + "already ended are counted in the summary. The connection settings come from the state "
        + "file unless given again.")
final class ResumeCommand implements Callable<Integer> {
  @ParentCommand RootCommand root;

  @Mixin JournalOptions journalOptions = new JournalOptions();

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "Stop waiting after this long; the builds go on (exit status 4).")
  String timeout;

  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    FollowOptions follow = new FollowOptions();
    follow.timeout = timeout;
    var wait = follow.timeout();
    StateJournal journal = StateJournal.read(journalOptions.state);
    Settings settings = journal.settings().overriddenBy(connection.settings()).requireResumable(journal);
    journal.settings(settings);
    try (Engine engine = Engine.open(settings, connection.config, invocation, journal)) {
      RunOutput out = output.create(invocation, true);
      List<Outcome.BuildOutcome> recorded = new ArrayList<>();
      List<BuildHandle> handles = new ArrayList<>();
      try (InterruptGuard guard = new InterruptGuard(invocation.ownsProcess())) {
        for (StateJournal.Entry e : journal.entries()) {
          if (e.isDone()) {
            recorded.add(e.recorded());
          } else {
            try {
              handles.add(engine.builder().resume(new Ticket(e.ticket())));
            } catch (InvalidRequestException | NoBackendAvailableException ex) {
              // Not re-attachable (a ticket that holds no targets, a backend missing here): said
              // on that build, the others still resumed; never a success.
              String failure = "cannot resume: " + ex.getMessage();
              journal.mark(e.buildId(), BuildStatus.ERROR.name(), failure, null);
              Outcome.BuildOutcome was = e.recorded();
              recorded.add(new Outcome.BuildOutcome(e.buildId(), e.backend(), BuildStatus.ERROR, was.targets(), failure));
            }
          }
        }
        if (!output.json) {
          out.notice("Resuming " + handles.size() + " of " + journal.entries().size()
              + " builds from " + journal.file());
        }
        BuildRun run = new BuildRun(out, journal, wait, timeout, FollowOptions.resumeCommand(journal.file()),
            engine::runsHere);
        return run.follow(handles, recorded, List.of(), BuildRun::allEnded, Outcome.Ending.COMPLETED, guard)
            .exitCode();
      }
    }
  }
}
