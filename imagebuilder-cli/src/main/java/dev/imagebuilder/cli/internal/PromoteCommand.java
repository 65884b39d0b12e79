package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciPromotion;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.api.Plan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code image-builder promote --from edge --to RISK}: tags images already built, in the registries
 * of their recipes' push rules, with no rebuild.
 */
@Command(name = "promote", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Promote images already built: tag <branch>_<from> as <branch>_<to> (and aliases).",
    customSynopsis = {
        "image-builder promote --to RISK [--from RISK] [--alias TEMPLATE]... [--series MM.YY]...",
        "                      [--arch ARCH]... [--dry-run] [--json] [OPTIONS] [-- IMAGE...]"},
    description = "For every selected image and series of the catalog, reads the manifest list Launchpad pushed as "
        + "<branch>_<from> in each registry of the recipe's push rules and writes its exact bytes as "
        + "<branch>_<to> and each alias: the digest does not change and no layer moves. Waits (bounded) "
        + "until the list holds every architecture. Registry credentials come from REGISTRY_AUTH_FILE, "
        + "$XDG_RUNTIME_DIR/containers/auth.json or ~/.docker/config.json (see docs/registry.md).",
    footer = "%nExit status: 0 every tag written (or already there); 1 a promotion failed; 2 usage or bad input; "
        + "3 credentials or authorization; 4 --timeout passed; 130 interrupted.")
final class PromoteCommand implements Callable<Integer> {
  @ParentCommand RootCommand root;

  @Option(names = "--from", paramLabel = "RISK", defaultValue = "edge",
      description = "The risk to read (default: edge, as Launchpad pushes).")
  String from;

  @Option(names = "--to", paramLabel = "RISK", required = true,
      description = "The risk to write: beta, candidate, stable, ...")
  String to;

  @Option(names = "--alias", paramLabel = "TEMPLATE",
      description = "Also write this tag: {branch}, {app}, {version}, {codename}, {series}, {risk} are replaced "
          + "({version}_{risk} gives 22.04_beta). A template naming no series (latest) goes to each image's "
          + "newest series only. Repeatable.")
  List<String> aliases = new ArrayList<>();

  @Option(names = "--series", paramLabel = "MM.YY", split = ",",
      description = "Promote only this series. Repeatable. Default: every series.")
  List<String> series = new ArrayList<>();

  @Option(names = "--arch", paramLabel = "ARCH", split = ",",
      description = "Wait until the list holds these architectures. Default: each recipe's own.")
  List<String> architectures = new ArrayList<>();

  @Option(names = "--registry-auth-file", paramLabel = "FILE",
      description = "Registry credentials (containers auth.json or docker config.json format) instead of the "
          + "environment's.")
  String authFile;

  @Option(names = "--dry-run", description = "Print every tag it would write; write nothing.")
  boolean dryRun;

  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin FollowOptions follow = new FollowOptions();
  @Mixin OutputOptions output = new OutputOptions();

  @Parameters(paramLabel = "IMAGE", arity = "0..*",
      description = "Images to promote (after --). Default: every image in the catalog.")
  List<String> images = new ArrayList<>();

  @Override
  public Integer call() {
    OciPromotionRequest request = request();
    Invocation invocation = root.invocation();
    Settings settings = connection.settings();
    Map<String, String> config = new LinkedHashMap<>(connection.config);
    if (authFile != null) {
      config.put("launchpad.registry-auth-file", authFile);
    }
    // The journal exists before the engine: every ticket is recorded in it before any remote call.
    StateJournal journal = dryRun ? null : StateJournal.create(follow.stateFile(invocation), settings);
    try (Engine engine = Engine.open(settings, config, invocation, journal)) {
      RunOutput out = output.create(invocation, true);
      if (dryRun) {
        Plan plan = engine.builder().plan(request);
        out.plans(List.of(plan));
        return ExitCode.OK;
      }
      try (InterruptGuard guard = new InterruptGuard(invocation.ownsProcess())) {
        BuildHandle handle = engine.builder().submit(request);
        BuildRun run = new BuildRun(out, journal, follow.timeout(), follow.timeout,
            FollowOptions.resumeCommand(journal.file(), settings), engine::runsHere);
        return run.follow(List.of(handle), List.of(), BuildRun::allEnded, Outcome.Ending.COMPLETED, guard).exitCode();
      }
    }
  }

  /** The request the options describe; each bad value named with its option. */
  OciPromotionRequest request() {
    OciPromotion promotion;
    try {
      promotion = new OciPromotion(from, to, aliases);
    } catch (InvalidRequestException e) {
      String option = e.field().startsWith("aliases") ? "--alias" : e.field().equals("from") ? "--from" : "--to";
      throw new UsageException(option + ": " + RootCommand.detail(e));
    }
    OciPromotionRequest.Builder b = ImageRequest.ociPromotion().promotion(promotion);
    try {
      b.series(series.stream().map(String::strip).toList());
    } catch (InvalidRequestException e) {
      throw new UsageException("--series: " + RootCommand.detail(e));
    }
    b.architectures(TargetFilters.architectures(architectures));
    try {
      return b.images(images).build();
    } catch (InvalidRequestException e) {
      throw new UsageException("IMAGE: " + RootCommand.detail(e));
    }
  }
}
