package dev.imagebuilder.cli.internal;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.Plan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code image-builder}: (re)build OCI images on Launchpad, filtered by series, architecture and image.
 * Its subcommands are added by {@link CommandTree}, not listed here: a run introspects only those it names.
 */
@Command(
    name = Cli.NAME,
    // No @Command methods here: spares picocli reading the annotations of every method at start.
    addMethodSubcommands = false,
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    headerHeading = "",
    header = "Rebuild OCI images on Launchpad, one, some or all of them, and follow them to the end.",
    synopsisHeading = "%nUsage: ",
    customSynopsis = {
        "image-builder [-h] [--series MM.YY]... [--arch ARCH]... [--wait]",
        "                     [--auto-retry-uploads[=N]] [--dry-run] [--json] [OPTIONS]",
        "                     [-- IMAGE...]",
        "       image-builder COMMAND [OPTIONS]"},
    descriptionHeading = "%n",
    description = {
        "Requests builds of every OCI recipe in the catalog that matches the images, series and "
            + "architectures given; with none given, every image, every series, every architecture.",
        "%nTry it: image-builder --launchpad demo --wait --auto-retry-uploads --retag beta -- redis"},
    parameterListHeading = "%nImages:%n",
    optionListHeading = "%nOptions:%n",
    commandListHeading = "%nCommands:%n",
    footerHeading = "%n",
    footer = {
        "Exit status: 0 all succeeded (without --wait: all submitted); 1 a target failed; "
            + "2 usage or bad input; 3 credentials or authorization; 4 --timeout passed, builds go on; "
            + "130 interrupted, builds go on.",
        "%nDocumentation: docs/cli.md"})
final class RootCommand implements Callable<Integer> {
  static final int DEFAULT_UPLOAD_RETRIES = 3;

  private final Invocation invocation;

  @Option(names = "--series", paramLabel = "MM.YY",
      description = "Build only this series (20.04, or a codename such as focal). Repeatable. Default: every series.")
  List<String> series = new ArrayList<>();

  @Option(names = "--arch", paramLabel = "ARCH",
      description = "Build only this architecture (amd64, arm64, ppc64el, s390x, riscv64, ...). "
          + "Repeatable. Default: every architecture of each recipe.")
  List<String> architectures = new ArrayList<>();

  @Option(names = "--wait", description = "Wait until every build has ended, showing their states.")
  boolean wait;

  @Option(names = "--auto-retry-uploads", paramLabel = "N", arity = "0..1",
      parameterConsumer = OptionalCount.class,
      description = "Retry failed registry uploads, up to N times each (default 3). Implies --wait.")
  Integer autoRetryUploads;

  @Option(names = "--dry-run", description = "Print what would be built; submit nothing.")
  boolean dryRun;

  // #12: promotion after the builds (see PromoteCommand for promotion on its own).
  @Option(names = "--retag", paramLabel = "RISK",
      description = "With --wait: once every build of an image and series is uploaded, tag its <branch>_edge list "
          + "as <branch>_RISK (beta, candidate, stable) in the registries of its push rules.")
  String retag;

  @Option(names = "--retag-alias", paramLabel = "TEMPLATE",
      description = "With --retag: also write this tag ({version}_{risk}, latest, ...; see promote --help). Repeatable.")
  List<String> retagAliases = new ArrayList<>();

  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin FollowOptions follow = new FollowOptions();
  @Mixin OutputOptions output = new OutputOptions();

  @Parameters(paramLabel = "IMAGE", arity = "0..*",
      description = "Images to build (after --). Default: every image in the catalog.")
  List<String> images = new ArrayList<>();

  /**
   * {@code --auto-retry-uploads[=N]}: takes the next argument only when it is a number, so that
   * {@code --auto-retry-uploads redis} means three retries of redis, as the request's usage reads.
   */
  static final class OptionalCount implements picocli.CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(java.util.Stack<String> args, picocli.CommandLine.Model.ArgSpec argSpec,
        picocli.CommandLine.Model.CommandSpec commandSpec) {
      RootCommand root = (RootCommand) commandSpec.root().userObject();
      if (!args.isEmpty() && root.arguments.contains("--auto-retry-uploads=" + args.peek())) {
        // Attached with '=', the value is the option's, whatever it is: never an image.
        String value = args.pop();
        if (!value.matches("\\d{1,9}")) {
          throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
              "--auto-retry-uploads: '" + value + "' is not a number (0 to "
                  + OciImageRequest.MAX_AUTO_RETRY_UPLOADS + ")");
        }
        argSpec.setValue(Integer.parseInt(value));
      } else if (!args.isEmpty() && args.peek().matches("\\d{1,9}")) {
        argSpec.setValue(Integer.parseInt(args.pop()));
      } else {
        argSpec.setValue(DEFAULT_UPLOAD_RETRIES);
      }
    }
  }

  /** The arguments as given, to tell {@code --auto-retry-uploads=X} from {@code --auto-retry-uploads X}. */
  private List<String> arguments = List.of();

  RootCommand(Invocation invocation) {
    this.invocation = invocation;
  }

  void arguments(List<String> given) {
    this.arguments = List.copyOf(given);
  }

  Invocation invocation() {
    return invocation;
  }

  @Override
  public Integer call() {
    OciImageRequest request = request();
    boolean waiting = wait || autoRetryUploads != null;
    Duration timeout = follow.timeout();
    Settings settings = connection.settings();
    // The journal exists before the engine: every ticket is recorded in it before any remote call.
    StateJournal journal = dryRun ? null : StateJournal.create(follow.stateFile(invocation), settings);
    try (Engine engine = Engine.open(settings, connection.config, invocation, journal)) {
      RunOutput out = output.create(invocation, waiting);
      if (engine.demo() != null && !output.json()) {
        out.notice("Demo: a fake Launchpad with demo data runs in this process at "
            + engine.demo().serviceRoot() + " (it stops when the command ends"
            + (waiting || dryRun ? ")." : ", so add --wait to see the builds finish)."));
      }
      if (dryRun) {
        Plan plan = engine.builder().plan(request);
        out.plans(List.of(plan));
        return ExitCode.OK;
      }
      try (InterruptGuard guard = new InterruptGuard(invocation.ownsProcess())) {
        BuildHandle handle = engine.builder().submit(request);
        if (!output.json()) {
          out.notice("State file: " + journal.file());
        }
        BuildRun run = new BuildRun(out, journal, timeout, follow.timeout,
            FollowOptions.resumeCommand(journal.file(), settings), engine::runsHere);
        Outcome outcome = run.follow(List.of(handle), List.of(),
            waiting ? BuildRun::allEnded : BuildRun::allSubmitted,
            waiting ? Outcome.Ending.COMPLETED : Outcome.Ending.SUBMITTED, guard);
        return outcome.exitCode();
      }
    }
  }

  /** The request the options describe; every value checked, each failure naming its option. */
  OciImageRequest request() {
    OciImageRequest.Builder b = dev.imagebuilder.api.ImageRequest.oci();
    try {
      b.series(values("--series", series, "a series such as 22.04"));
    } catch (InvalidRequestException e) {
      throw new UsageException("--series: " + detail(e));
    }
    b.architectures(TargetFilters.architectures(values("--arch", architectures, "an architecture such as amd64")));
    if (autoRetryUploads != null) {
      if (autoRetryUploads < 0 || autoRetryUploads > OciImageRequest.MAX_AUTO_RETRY_UPLOADS) {
        throw new UsageException("--auto-retry-uploads: '" + autoRetryUploads + "' is out of range (0 to "
            + OciImageRequest.MAX_AUTO_RETRY_UPLOADS + ")");
      }
      b.autoRetryUploads(autoRetryUploads);
    }
    b.promotion(promotion());
    try {
      for (String image : images) {
        if (image.isBlank()) {
          throw new UsageException("IMAGE: an empty image name (give names from the catalog, or none for every image)");
        }
      }
      return b.images(images).build();
    } catch (InvalidRequestException e) {
      throw new UsageException("IMAGE: " + detail(e));
    }
  }

  /** {@code --retag} and its aliases, or {@code null}; promotion needs the process to wait for the builds. */
  private dev.imagebuilder.api.OciPromotion promotion() {
    if (retag == null) {
      if (!retagAliases.isEmpty()) {
        throw new UsageException("--retag-alias: needs --retag RISK");
      }
      return null;
    }
    if (!wait && autoRetryUploads == null && !dryRun) {
      throw new UsageException("--retag: needs --wait (promotion runs once the builds are uploaded)");
    }
    try {
      return new dev.imagebuilder.api.OciPromotion("edge", retag, retagAliases);
    } catch (InvalidRequestException e) {
      throw new UsageException((e.field().startsWith("aliases") ? "--retag-alias: " : "--retag: ") + detail(e));
    }
  }

  /**
   * The values of a repeatable, comma-separated filter. An empty value ({@code --series ,} or
   * {@code --arch ''}) is refused: leaving the option out means "all", an empty value must not.
   */
  static List<String> values(String option, List<String> given, String example) {
    List<String> values = new ArrayList<>();
    for (String raw : given) {
      for (String part : raw.split(",", -1)) {
        if (part.isBlank()) {
          throw new UsageException(option + ": '" + raw + "' holds an empty value (give " + example
              + ", or leave " + option + " out for all)");
        }
        values.add(part.strip());
      }
    }
    return values;
  }

  /** The message without its field prefix ("series[0]: "). */
  static String detail(InvalidRequestException e) {
    String m = e.getMessage();
    String prefix = e.field() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }
}
