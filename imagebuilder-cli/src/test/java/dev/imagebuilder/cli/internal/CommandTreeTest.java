package dev.imagebuilder.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The model a run builds for its arguments (only the subcommands they name introspected) against
 * the whole tree the man page and completion use: the same usage help, the same subcommand models.
 */
class CommandTreeTest {
  private final Invocation invocation = new Invocation(
      new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()), false,
      Map.<String, String>of()::get, false);

  private final CommandLine whole = Cli.commandLine(invocation);

  @Test
  void theTopLevelUsageHelpIsTheWholeTreesWhateverTheArgumentsName() {
    for (List<String> args : List.<List<String>>of(List.of(), List.of("--help"), List.of("--version"), List.of("status", "--help"),
        List.of("--help", "submit"), List.of("catalog", "init"), List.of("generate-completion"))) {
      CommandLine lazy = Cli.commandLine(invocation, args);

      assertThat(lazy.getUsageMessage()).as("%s", args).isEqualTo(whole.getUsageMessage());
    }
    assertThat(whole.getUsageMessage())
        .contains("Commands:").contains("  submit ").contains("  worker ").doesNotContain("generate-completion");
  }

  @Test
  void onlyTheSubcommandsTheArgumentsNameAreAdded() {
    assertThat(Cli.commandLine(invocation, List.of("--help")).getSubcommands()).isEmpty();
    assertThat(Cli.commandLine(invocation, List.of("--series", "22.04", "--dry-run")).getSubcommands()).isEmpty();
    assertThat(Cli.commandLine(invocation, List.of("--json", "status", "--state", "f")).getSubcommands())
        .containsOnlyKeys("status");
  }

  @Test
  void aNamedSubcommandHasItsFullModelWithItsOwnSubcommands() {
    CommandLine lazy = Cli.commandLine(invocation, List.of("catalog", "init", "--help"));

    CommandLine catalog = lazy.getSubcommands().get("catalog");
    assertThat(catalog.getSubcommands()).containsOnlyKeys("init");
    assertThat(catalog.getSubcommands().get("init").getUsageMessage())
        .isEqualTo(whole.getSubcommands().get("catalog").getSubcommands().get("init").getUsageMessage());
    assertThat(catalog.getSubcommands().get("init").getCommandSpec().options().stream().map(OptionSpec::longestName))
        .containsExactlyElementsOf(whole.getSubcommands().get("catalog").getSubcommands().get("init")
            .getCommandSpec().options().stream().map(OptionSpec::longestName).toList());
  }

  @Test
  void argumentFilesAndCompletionGetTheWholeTree() {
    assertThat(Cli.commandLine(invocation, List.of("@args.txt")).getSubcommands().keySet())
        .containsExactlyElementsOf(whole.getSubcommands().keySet());
    assertThat(Cli.commandLine(invocation, List.of("generate-completion")).getSubcommands().keySet())
        .containsExactlyElementsOf(whole.getSubcommands().keySet());
    assertThat(whole.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden()).isTrue();
  }

  @Test
  void noOptionOrParameterNeedsAConverterTheCommandLeavesOut() {
    assertThat("java.time.Duration").as("the exclusion applies").matches(Cli.UNUSED_CONVERTERS);
    assertThat("java.nio.file.Path").doesNotMatch(Cli.UNUSED_CONVERTERS);
    List<String> needing = new ArrayList<>();
    Deque<CommandLine> commands = new ArrayDeque<>(List.of(whole));
    while (!commands.isEmpty()) {
      CommandLine command = commands.pop();
      commands.addAll(command.getSubcommands().values());
      for (ArgSpec arg : command.getCommandSpec().args()) {
        boolean ownConverter = arg.converters() != null && arg.converters().length > 0;
        for (Class<?> type : arg.auxiliaryTypes()) {
          if (!ownConverter && type.getName().matches(Cli.UNUSED_CONVERTERS)) {
            needing.add(command.getCommandName() + " " + arg.paramLabel() + ": " + type.getName());
          }
        }
      }
    }
    assertThat(needing).as("options whose type picocli would no longer convert").isEmpty();
  }
}
