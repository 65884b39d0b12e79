package dev.imagebuilder.cli;

import static dev.imagebuilder.cli.CommandRunner.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.cli.CommandRunner.Run;
import dev.imagebuilder.cli.internal.BuildDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion script and man page the build generates, from the command's own model. */
class CompletionAndManPageTest {
  @TempDir Path dir;

  @Test
  void theBuildWritesACompletionScriptBashAcceptsAndAManPageNamingEveryCommandAndOption() throws Exception {
    BuildDocs.main(new String[] {dir.toString(), "9.9.9"});

    Path completion = dir.resolve("image-builder.bash");
    String script = Files.readString(completion);
    assertThat(script).contains("complete -F").contains("submit").contains("retry").contains("status")
        .contains("--progress").contains("--series");
    Process bash = new ProcessBuilder("bash", "-n", completion.toString()).redirectErrorStream(true).start();
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(new String(bash.getInputStream().readAllBytes())).isZero();

    String man = Files.readString(dir.resolve("image-builder.1"));
    assertThat(man).startsWith(".TH IMAGE-BUILDER 1 \"\" \"image\\-builder 9.9.9\"")
        .contains(".SS \"image\\-builder submit\"").contains(".SS \"image\\-builder retry\"")
        .contains(".SS \"image\\-builder catalog init\"").contains(".SS \"image\\-builder status\"")
        .contains("\\fB\\-\\-progress\\fR").contains("\\fB\\-\\-dry\\-run\\fR")
        .contains(".SH EXIT STATUS")
        // Not the build machine's environment: the variables as written.
        .contains("${XDG_CONFIG_HOME:\\-~/.config}")
        .doesNotContain("generate\\-completion")
        .doesNotContain("\\fB\\-\\-terminal\\fR");
  }

  @Test
  void theCommandPrintsItsCompletionScriptToo() {
    Run r = run("generate-completion");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("complete -F").contains("catalog");
  }
}
