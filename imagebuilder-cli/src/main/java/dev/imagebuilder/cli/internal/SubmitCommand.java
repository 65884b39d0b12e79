package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildBatch;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.core.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code image-builder submit --file REQUESTS.json}: the wire format, each item to its backend. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Submit a wire-format request file: cloud, touch and OCI items.",
    description = "Submits the image requests of a wire-format JSON document (cloud, touch and OCI items; "
        + "docs/wire-format.md), each to the backend for its type. Every item is checked first: an "
        + "invalid one stops everything (exit 2). An item no installed backend can serve is "
        + "reported on that item and the others still go (exit 1).")
final class SubmitCommand implements Callable<Integer> {
  /** How the core names the item whose backend is missing: "[2]: no backend ...". */
  private static final Pattern ITEM = Pattern.compile("^\\[(\\d+)]: (.*)$", Pattern.DOTALL);

  @ParentCommand RootCommand root;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "REQUESTS.json",
      description = "The requests: a JSON list of items with image_type, or one item ('-': stdin).")
  String file;

  @Option(names = "--wait", description = "Wait until every build has ended.")
  boolean wait;

  @Option(names = "--dry-run", description = "Print each item's plan (for cloud items: what would be "
      + "downloaded, installed and uploaded); submit nothing.")
  boolean dryRun;

  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin FollowOptions follow = new FollowOptions();
  @Mixin OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    List<ImageRequest> requests;
    try {
      requests = WireFormat.parse(read());
    } catch (InvalidRequestException e) {
      throw new UsageException(file + ": " + e.getMessage());
    }
    if (requests.isEmpty()) {
      throw new UsageException(file + ": holds no requests");
    }
    var timeout = follow.timeout();
    Settings settings = connection.settings();
    // The journal exists before the engine: every ticket is recorded in it before any remote call.
    StateJournal journal = dryRun ? null : StateJournal.create(follow.stateFile(invocation), settings);
    try (Engine engine = Engine.open(settings, connection.config, invocation, journal)) {
      RunOutput out = output.create(invocation, wait);
      if (dryRun) {
        return plan(engine, requests, out);
      }
      try (InterruptGuard guard = new InterruptGuard(invocation.ownsProcess())) {
        List<Outcome.Rejected> rejected = new ArrayList<>();
        List<BuildHandle> handles = submit(engine, requests, rejected);
        if (output.json()) {
          // For people reading stderr; the text outputs list them once, in the summary.
          for (Outcome.Rejected r : rejected) {
            out.notice("Not submitted: item [" + r.index() + "] (" + r.imageType() + "): " + r.reason());
          }
        }
        if (!handles.isEmpty() && !output.json()) {
          out.notice("State file: " + journal.file());
        }
        BuildRun run = new BuildRun(out, journal, timeout, follow.timeout, FollowOptions.resumeCommand(journal.file(), settings),
            engine::runsHere);
        return run.follow(handles, rejected, wait ? BuildRun::allEnded : BuildRun::allSubmitted,
            wait ? Outcome.Ending.COMPLETED : Outcome.Ending.SUBMITTED, guard).exitCode();
      }
    }
  }

  /** {@code --dry-run}: each item's plan, read-only; an item no backend serves is named. */
  private static int plan(Engine engine, List<ImageRequest> requests, RunOutput out) {
    List<Plan> plans = new ArrayList<>();
    int exit = ExitCode.OK;
    for (int i = 0; i < requests.size(); i++) {
      try {
        plans.add(engine.builder().plan(requests.get(i)));
      } catch (NoBackendAvailableException e) {
        out.notice("Would not be submitted: item [" + i + "] (" + requests.get(i).imageType() + "): "
            + Text.brief(e.getMessage()));
        exit = ExitCode.FAILED;
      } catch (InvalidRequestException e) {
        throw new UsageException("[" + i + "]: " + e.getMessage());
      }
    }
    out.plans(plans);
    return exit;
  }

  /**
   * Submits every item a backend can serve. {@code submitAll} checks every item before starting
   * any; when it names an item no backend serves, that item is set aside and the rest tried again.
   */
  private static List<BuildHandle> submit(Engine engine, List<ImageRequest> requests, List<Outcome.Rejected> rejected) {
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      indexes.add(i);
    }
    while (!indexes.isEmpty()) {
      List<ImageRequest> batch = indexes.stream().map(requests::get).toList();
      try {
        BuildBatch submitted = engine.builder().submitAll(batch);
        return submitted.handles();
      } catch (NoBackendAvailableException e) {
        Matcher m = ITEM.matcher(e.getMessage());
        if (!m.matches()) {
          throw e;
        }
        int position = Integer.parseInt(m.group(1));
        int index = indexes.remove(position);
        rejected.add(new Outcome.Rejected(index, requests.get(index).imageType(), m.group(2)));
      } catch (InvalidRequestException e) {
        throw renumbered(e, indexes);
      }
    }
    return List.of();
  }

  /** The core numbers the items of the batch; the user knows them by their place in the file. */
  private static InvalidRequestException renumbered(InvalidRequestException e, List<Integer> indexes) {
    Matcher m = Pattern.compile("^\\[(\\d+)](.*)$", Pattern.DOTALL).matcher(e.getMessage());
    if (!m.matches()) {
      return e;
    }
    int original = indexes.get(Integer.parseInt(m.group(1)));
    return new InvalidRequestException("[" + original + "]" + e.field().replaceFirst("^\\[\\d+]", ""),
        RootCommand.detail(e), e);
  }

  private String read() {
    return BoundedInput.read("--file", file, System.in);
  }
}
