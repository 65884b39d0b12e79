package dev.imagebuilder.cli.internal;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Options given before a subcommand ({@code image-builder --json status --state F}) belong to the
 * top-level command in picocli's model. They are never silently ignored: an option the subcommand
 * also has is applied to it (unless given to the subcommand too, which then wins), and any other
 * is refused, naming the option and the subcommand, before anything runs.
 */
final class RootOptions implements CommandLine.IExecutionStrategy {
  private final CommandLine.IExecutionStrategy next;

  RootOptions(CommandLine.IExecutionStrategy next) {
    this.next = next;
  }

  @Override
  public int execute(ParseResult parseResult) {
    reconcile(parseResult);
    return next.execute(parseResult);
  }

  static void reconcile(ParseResult root) {
    ParseResult sub = root.subcommand();
    if (sub == null) {
      return;
    }
    String name = sub.commandSpec().name();
    if (!root.matchedPositionals().isEmpty()) {
      throw new CommandLine.ParameterException(sub.commandSpec().commandLine(), "'" + String.join(" ", root.matchedPositionals().get(0).stringValues())
          + "' comes before the subcommand '" + name + "': images are for the OCI rebuild"
          + " (image-builder [OPTIONS] -- IMAGE...), not for '" + name + "'");
    }
    for (OptionSpec given : root.matchedOptions()) {
      if (given.usageHelp() || given.versionHelp()) {
        continue;
      }
      OptionSpec target = sub.commandSpec().findOption(given.longestName());
      if (target == null) {
        throw new CommandLine.ParameterException(sub.commandSpec().commandLine(), given.longestName() + " is not an option of '" + Cli.NAME + " " + name
            + "' (given before the subcommand; see '" + Cli.NAME + " " + name + " --help')");
      }
      if (sub.hasMatchedOption(target)) {
        continue; // given to the subcommand as well: that value wins
      }
      apply(given, target);
    }
    // Options of a sub-subcommand (catalog init) given to their parent are handled the same way.
    if (sub.subcommand() != null) {
      reconcile(sub);
    }
  }

  private static void apply(ArgSpec from, ArgSpec to) {
    Object value = from.getValue();
    if (value instanceof java.util.Collection<?> c && to.getValue() instanceof java.util.Collection<?>) {
      @SuppressWarnings("unchecked")
      java.util.Collection<Object> target = (java.util.Collection<Object>) to.getValue();
      target.addAll(List.copyOf(c));
    } else if (value instanceof java.util.Map<?, ?> m && to.getValue() instanceof java.util.Map<?, ?>) {
      @SuppressWarnings("unchecked")
      java.util.Map<Object, Object> target = (java.util.Map<Object, Object>) to.getValue();
      target.putAll(m);
    } else {
      to.setValue(value);
    }
  }
}
