package dev.imagebuilder.cli.internal;

import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The subcommands of {@code image-builder}, and as much of their picocli model as one run needs.
 *
 * <p>Picocli builds a command's model by reflection: every field, every option's annotation (a
 * proxy object each), a constructor accessor per type. For all eleven subcommands that was two
 * thirds of the start-up time of {@code --help}, which shows one line of each. So a run
 * introspects only the subcommands its arguments name; every other subcommand is an outline
 * read from its {@code @Command} annotation alone: name, aliases, header, description and
 * whether it is hidden, all the top-level usage help shows of it. The outline cannot run:
 * picocli dispatches to a subcommand only on an argument equal to its name or an alias, and
 * such an argument gets the full model. Completion and the man page need every subcommand's
 * options, so they get the whole tree.
 */
final class CommandTree {
  /** The subcommands, in the order the usage help lists them. */
  private static final List<Class<?>> SUBCOMMANDS = List.of(
      SubmitCommand.class,
      PromoteCommand.class,
      LoginCommand.class,
      ResumeCommand.class,
      RetryCommand.class,
      CatalogCommand.class,
      CancelCommand.class,
      StatusCommand.class,
      FakesCommand.class,
      WorkerCommand.class,
      // Hidden: 'source <(image-builder generate-completion)' (bash and zsh); it reads the whole tree.
      AutoComplete.GenerateCompletion.class);

  private CommandTree() {}

  /** Adds every subcommand with its full model: for completion and the man page. */
  static void addAll(CommandLine root) {
    for (Class<?> sub : SUBCOMMANDS) {
      root.addSubcommand(sub);
    }
  }

  /**
   * Adds every subcommand, with its full model when {@code args} may invoke it, else as an
   * outline. An argument file ({@code @FILE}, which picocli expands) may name any of them, and
   * {@code generate-completion} reads them all: then every one gets its full model.
   */
  static void addFor(CommandLine root, List<String> args) {
    boolean all = args.contains("generate-completion") || args.stream().anyMatch(a -> a.startsWith("@"));
    for (Class<?> sub : SUBCOMMANDS) {
      Command command = sub.getAnnotation(Command.class);
      if (all || args.contains(command.name()) || List.of(command.aliases()).stream().anyMatch(args::contains)) {
        root.addSubcommand(sub);
      } else {
        root.addSubcommand(outline(command));
      }
    }
  }

  /** What the usage help of the parent shows of a subcommand, without introspecting its class. */
  private static CommandSpec outline(Command command) {
    CommandSpec spec = CommandSpec.create().name(command.name()).aliases(command.aliases());
    spec.usageMessage()
        .header(command.header())
        .description(command.description())
        .hidden(command.hidden());
    return spec;
  }
}
