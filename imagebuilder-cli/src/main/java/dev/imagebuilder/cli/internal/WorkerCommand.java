package dev.imagebuilder.cli.internal;

import dev.imagebuilder.amqp.QueueWorker;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code image-builder worker}: serve wire-format requests from a RabbitMQ queue. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Serve image requests from a RabbitMQ queue.",
    description = "Serves image requests from a durable RabbitMQ queue with every backend of this command, "
        + "publishing progress to each request's trigger queue (docs/amqp.md), until interrupted. "
        + "Builds go on when it stops; a worker on the same journal takes them over without "
        + "rebuilding.")
final class WorkerCommand implements Callable<Integer> {
  static final String URI_VARIABLE = "IMAGEBUILDER_AMQP_URI";

  @ParentCommand RootCommand root;

  @Option(names = "--amqp", paramLabel = "URI",
      description = "The broker, amqp[s]://user:password@host:port/vhost. Default: the environment "
          + "variable " + URI_VARIABLE + " (which keeps the password out of the process list).")
  String amqp;

  @Option(names = "--queue", required = true, paramLabel = "NAME", description = "The work queue.")
  String queue;

  @Option(names = "--journal", paramLabel = "DIR",
      description = "Where request tickets are journaled; shared by every worker of the queue. "
          + "Default: $${XDG_STATE_HOME:-~/.local/state}/image-builder/worker-journal.")
  Path journal;

  @Option(names = "--prefetch", paramLabel = "N", defaultValue = "4",
      description = "Requests served at once (default ${DEFAULT-VALUE}).")
  int prefetch;

  @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "60s",
      description = "Progress is published at least this often (default ${DEFAULT-VALUE}).")
  String progressInterval;

  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--debug", description = "Show stack traces on errors.")
  boolean debug;

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    String uri = amqp != null ? amqp : invocation.env(URI_VARIABLE);
    if (uri == null || uri.isBlank()) {
      throw new UsageException("--amqp: no broker given (use --amqp URI or set " + URI_VARIABLE + ")");
    }
    Duration interval = Durations.parse("--progress-interval", progressInterval, java.time.Duration.ofDays(1));
    Path dir = journal != null ? journal : FollowOptions.stateHome(invocation).resolve("image-builder").resolve("worker-journal");
    // The variable names the broker this worker serves, nothing more: the worker's own engine must
    // not read it as the amqp backend's broker too, or it would hand each request back to the queue.
    Invocation served = new Invocation(invocation.out(), invocation.err(), invocation.terminal(),
        name -> name.startsWith("IMAGEBUILDER_AMQP_") ? null : invocation.env(name), invocation.ownsProcess());
    try (Engine engine = Engine.open(connection.settings(), connection.config, served);
         QueueWorker worker = worker(uri, dir, interval, engine)) {
      try {
        worker.start();
      } catch (UncheckedIOException e) {
        // An unreachable or refusing broker is the user's to fix: its reason, not a stack trace.
        throw new ImageBuildException(e.getMessage(), e);
      }
      invocation.out().println("Serving queue '" + queue + "' on " + redacted(uri) + " (journal " + dir
          + "); until interrupted (Ctrl-C).");
      invocation.out().flush();
      // On Ctrl-C the worker stops taking requests; its builds go on and are taken over later.
      return ServeUntilInterrupted.await(invocation, "image-builder-worker-stop", () -> stop(worker, engine));
    }
  }

  /**
   * The shutdown hook's stop action: the worker stops taking requests, then the engine closes
   * (the builder, and with {@code --launchpad demo} the fake Launchpad and its temporary
   * directory). Both in the hook: Java halts as soon as the hooks end, and a close left to the
   * main thread raced that halt, which waited 300 ms for the demo fake's server threads and left
   * its directory behind. Closing again after the hook, as the try block does, does nothing.
   */
  private static void stop(QueueWorker worker, Engine engine) {
    try {
      worker.close();
    } finally {
      engine.close();
    }
  }

  /** The worker; a setting it refuses is reported under its option, like any bad input. */
  private QueueWorker worker(String uri, Path dir, Duration interval, Engine engine) {
    try {
      return QueueWorker.newBuilder()
          .uri(uri)
          .queue(queue)
          .prefetch(prefetch)
          .journalDirectory(dir)
          .progressInterval(interval)
          .imageBuilder(engine.builder())
          .build();
    } catch (InvalidRequestException e) {
      String option = switch (e.field()) {
        case "uri" -> "--amqp";
        case "queue" -> "--queue";
        case "prefetch" -> "--prefetch";
        case "journalDirectory" -> "--journal";
        case "progressInterval" -> "--progress-interval";
        default -> e.field();
      };
      throw new UsageException(option + ": " + RootCommand.detail(e));
    }
  }

  /** The broker's address without user or password. */
  static String redacted(String uri) {
    try {
      URI u = new URI(uri.strip());
      return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
          + (u.getRawPath() == null ? "" : u.getRawPath());
    } catch (URISyntaxException e) {
      return "(the broker given)";
    }
  }

}
