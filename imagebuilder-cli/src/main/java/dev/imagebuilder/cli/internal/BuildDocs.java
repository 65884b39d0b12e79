package dev.imagebuilder.cli.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Run at build time (the cli pom, phase prepare-package): writes the bash/zsh completion script
 * (picocli's AutoComplete) and the man page (troff, section 1) of the command from the same
 * picocli model the command parses with, so that neither can drift from the options.
 * {@code java ... BuildDocs DIR VERSION} writes {@code DIR/image-builder.bash} and {@code DIR/image-builder.1}.
 */
public final class BuildDocs {
  private BuildDocs() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: BuildDocs OUTPUT-DIRECTORY VERSION");
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    CommandLine cli = Cli.commandLine(new Invocation(
        new PrintStream(java.io.OutputStream.nullOutputStream()), System.err, false, name -> null, false));
    Files.writeString(dir.resolve(Cli.NAME + ".bash"), AutoComplete.bash(Cli.NAME, cli), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(Cli.NAME + ".1"), manPage(cli, args[1]), StandardCharsets.UTF_8);
  }

  /** The man page: the top-level command, then a section per subcommand. */
  static String manPage(CommandLine cli, String version) {
    CommandSpec spec = cli.getCommandSpec();
    StringBuilder t = new StringBuilder();
    t.append(".TH IMAGE-BUILDER 1 \"\" \"").append(roff(Cli.NAME + " " + version))
        .append("\" \"User Commands\"\n");
    t.append(".SH NAME\n").append(Cli.NAME).append(" \\- ").append(roff(String.join(" ", spec.usageMessage().header())))
        .append('\n');
    t.append(".SH SYNOPSIS\n.nf\n");
    for (String line : spec.usageMessage().customSynopsis()) {
      t.append(roff(line)).append('\n');
    }
    t.append(".fi\n");
    t.append(".SH DESCRIPTION\n");
    paragraphs(t, spec.usageMessage().description());
    t.append(".SH OPTIONS\n");
    options(t, spec);
    t.append(".SH COMMANDS\n");
    for (CommandLine sub : cli.getSubcommands().values()) {
      command(t, sub.getCommandSpec());
      for (CommandLine subsub : sub.getSubcommands().values()) {
        command(t, subsub.getCommandSpec());
      }
    }
    t.append(".SH EXIT STATUS\n");
    paragraphs(t, spec.usageMessage().footer());
    t.append(".SH ENVIRONMENT\n");
    t.append(".TP\n\\fBNO_COLOR\\fR\nWhen set and not empty, the live table has no colours.\n");
    t.append(".TP\n\\fBTERM\\fR\n\\fBdumb\\fR (or a terminal that cannot move its cursor) gets plain lines instead of the live table.\n");
    t.append(".TP\n\\fBXDG_CONFIG_HOME\\fR, \\fBXDG_STATE_HOME\\fR, \\fBHOME\\fR\n")
        .append("Where the credentials, the catalog and the state files go by default.\n");
    t.append(".TP\n\\fBIMAGEBUILDER_\\fIBACKEND\\fB_\\fIKEY\\fR\nLibrary settings (docs/configuration.md).\n");
    t.append(".SH SEE ALSO\ndocs/cli.md in the image-builder sources.\n");
    return t.toString();
  }

  private static void command(StringBuilder t, CommandSpec spec) {
    if (spec.usageMessage().hidden()) {
      return;
    }
    t.append(".SS \"").append(roff(spec.qualifiedName())).append("\"\n");
    paragraphs(t, spec.usageMessage().header());
    paragraphs(t, spec.usageMessage().description());
    options(t, spec);
  }

  private static void options(StringBuilder t, CommandSpec spec) {
    for (OptionSpec o : spec.options()) {
      if (o.hidden()) {
        continue;
      }
      t.append(".TP\n");
      List<String> names = List.of(o.names());
      for (int i = 0; i < names.size(); i++) {
        t.append(i == 0 ? "" : ", ").append("\\fB").append(roff(names.get(i))).append("\\fR");
      }
      if (o.arity().max() > 0) {
        t.append(' ').append("\\fI").append(roff(o.paramLabel())).append("\\fR");
      }
      String text = String.join(" ", o.description())
          .replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue()));
      t.append('\n').append(roff(text)).append('\n');
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (p.hidden()) {
        continue;
      }
      t.append(".TP\n\\fI").append(roff(p.paramLabel())).append("\\fR...\n")
          .append(roff(String.join(" ", p.description()))).append('\n');
    }
  }

  private static void paragraphs(StringBuilder t, String[] lines) {
    for (String line : lines) {
      for (String paragraph : line.split("%n")) {
        if (!paragraph.isBlank()) {
          t.append(".PP\n").append(roff(paragraph.strip())).append('\n');
        }
      }
    }
  }

  /** Text safe in troff: backslashes escaped, hyphens as minus signs, no line starting a request. */
  static String roff(String s) {
    String escaped = s.replace("\\", "\\e").replace("-", "\\-");
    return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
  }
}
