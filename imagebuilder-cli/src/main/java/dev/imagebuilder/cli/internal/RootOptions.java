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
    ParseResult leaf = root;
    while (leaf.subcommand() != null) {
      leaf = leaf.subcommand();
    }
    if (leaf == root) {
      return;
    }
    String name = leaf.commandSpec().qualifiedName();
    // Every command above the one that runs: the top level, and 'catalog' above 'catalog init'.
    for (ParseResult above = root; above != leaf; above = above.subcommand()) {
      if (!above.matchedPositionals().isEmpty()) {
        throw new CommandLine.ParameterException(leaf.commandSpec().commandLine(),
            "'" + String.join(" ", above.matchedPositionals().get(0).stringValues())
                + "' comes before the subcommand: images are for the OCI rebuild"
                + " (image-builder [OPTIONS] -- IMAGE...), not for '" + name + "'");
      }
      for (OptionSpec given : above.matchedOptions()) {
        if (given.usageHelp() || given.versionHelp()) {
          continue;
        }
        OptionSpec target = leaf.commandSpec().findOption(given.longestName());
        if (target == null) {
          throw new CommandLine.ParameterException(leaf.commandSpec().commandLine(),
              given.longestName() + " is not an option of '" + name + "' (given before the subcommand; see '"
                  + name + " --help')");
        }
        if (!leaf.hasMatchedOption(target)) {
          apply(given, target); // given to the subcommand as well: that value wins
        }
      }
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
