package dev.imagebuilder.cli.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The subcommands of {@code image-builder}, and as much of their picocli model as one run needs.
 *
 * <p>Picocli builds a command's model by reflection: every field, every option's annotation (a
 * proxy object each), a constructor accessor per type, and a parser with its converters per
 * command. For all eleven subcommands that was two thirds of the start-up time of {@code --help},
 * which shows one line of each. So a run adds to the top-level command only the subcommands its
 * arguments name: picocli dispatches to a subcommand only on an argument equal to its name or an
 * alias (the top-level command takes every other word as an image). The usage help's command list
 * is still picocli's own, made from every subcommand in order: the full model of those added, an
 * outline of the others read from their {@code @Command} annotation alone (name, aliases, header,
 * description, hidden: all the list shows). Completion and the man page get the whole tree.
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
      // 'source <(image-builder generate-completion)' (bash and zsh): documented in docs/cli.md,
      // hidden from --help. It reads the whole tree.
      AutoComplete.GenerateCompletion.class);

  private static final String COMPLETION = "generate-completion";

  private CommandTree() {}

  /** Adds every subcommand with its full model: for completion and the man page. */
  static void addAll(CommandLine root) {
    for (Class<?> sub : SUBCOMMANDS) {
      add(root, sub);
    }
  }

  /**
   * Adds the full model of each subcommand {@code args} may invoke, and lists every subcommand in
   * the usage help. An argument file ({@code @FILE}, which picocli expands) may name any of them,
   * and {@code generate-completion} reads them all: then all are added.
   */
  static void addFor(CommandLine root, List<String> args) {
    boolean all = args.contains(COMPLETION) || args.stream().anyMatch(a -> a.startsWith("@"));
    for (Class<?> sub : SUBCOMMANDS) {
      if (all || names(sub.getAnnotation(Command.class)).stream().anyMatch(args::contains)) {
        add(root, sub);
      }
    }
    Map<String, CommandLine.IHelpSectionRenderer> sections = root.getCommandSpec().usageMessage().sectionMap();
    CommandList list = new CommandList();
    sections.put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING, list.heading);
    sections.put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, list.list);
  }

  /**
   * The usage help's command list and its heading, as picocli renders them, with the subcommands
   * not added listed from their outline; the list is made once for both. Classes, not lambdas:
   * see Cli.Failures.
   */
  private static final class CommandList {
    private Help help;
    private Map<String, Help> listed;

    final CommandLine.IHelpSectionRenderer heading = new CommandLine.IHelpSectionRenderer() {
      @Override
      public String render(Help help) {
        return listed(help).isEmpty() ? "" : help.createHeading(help.commandSpec().usageMessage().commandListHeading());
      }
    };

    final CommandLine.IHelpSectionRenderer list = new CommandLine.IHelpSectionRenderer() {
      @Override
      public String render(Help help) {
        return help.commandList(listed(help));
      }
    };

    private Map<String, Help> listed(Help forHelp) {
      if (forHelp != help) {
        help = forHelp;
        listed = CommandTree.listed(forHelp);
      }
      return listed;
    }
  }

  private static void add(CommandLine root, Class<?> sub) {
    root.addSubcommand(sub);
    if (sub == AutoComplete.GenerateCompletion.class) {
      root.getSubcommands().get(COMPLETION).getCommandSpec().usageMessage().hidden(true);
    }
  }

  /**
   * The visible subcommands as picocli's {@link Help#subcommands()} has them (keyed by their names
   * joined with ", ", in order), each from its full model when added, else from its outline.
   */
  private static Map<String, Help> listed(Help help) {
    Map<String, CommandLine> added = help.commandSpec().subcommands();
    Map<String, Help> listed = new LinkedHashMap<>();
    for (Class<?> sub : SUBCOMMANDS) {
      Command command = sub.getAnnotation(Command.class);
      CommandLine full = added.get(command.name());
      CommandSpec spec = full != null ? full.getCommandSpec() : outline(command);
      if (!spec.usageMessage().hidden()) {
        listed.put(String.join(", ", names(command)), new Help(spec, help.colorScheme()));
      }
    }
    return listed;
  }

  /** What the parent's usage help shows of a subcommand, without introspecting its class. */
  private static CommandSpec outline(Command command) {
    CommandSpec spec = CommandSpec.create().name(command.name()).aliases(command.aliases());
    spec.usageMessage()
        .header(command.header())
        .description(command.description())
        .hidden(command.hidden() || command.name().equals(COMPLETION));
    return spec;
  }

  private static List<String> names(Command command) {
    List<String> names = new ArrayList<>();
    names.add(command.name());
    names.addAll(List.of(command.aliases()));
    return names;
  }
}
