package dev.imagebuilder.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.BuildEvent;
import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text outputs on their own: log lines, progress, colours, links, TERM=dumb. */
class OutputsTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private static final TargetStatus BUILDING = new TargetStatus("cloud", Map.of("series", "noble"),
      TargetState.BUILDING, "customizing", URI.create("https://example.org/builds/7"), null, null, Map.of(), 1);

  private static BuildHandle build(TargetStatus... targets) {
    return (BuildHandle) Proxy.newProxyInstance(BuildHandle.class.getClassLoader(),
        new Class<?>[] {BuildHandle.class}, (proxy, method, args) -> switch (method.getName()) {
          case "id" -> "b-1";
          case "backend" -> "guestfs";
          case "status" -> BuildStatus.RUNNING;
          case "targets" -> List.of(targets);
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private Invocation invocation(Map<String, String> env) {
    return new Invocation(out, out, false, env::get, false);
  }

  /** A second output, apart: the first table's ticker goes on drawing on the first. */
  private final ByteArrayOutputStream otherBytes = new ByteArrayOutputStream();

  private Invocation other(Map<String, String> env) {
    PrintStream o = new PrintStream(otherBytes, true, StandardCharsets.UTF_8);
    return new Invocation(o, o, false, env::get, false);
  }

  private String otherText() {
    return otherBytes.toString(StandardCharsets.UTF_8);
  }

  private String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void verboseShowsTheToolsLogLinesEscaped() {
    LineOutput verbose = new LineOutput(out, true, new BuildLogs(null));
    verbose.event(new BuildEvent.LogLine("b-1", Instant.now(), "cloud", "[   3.1] Installing packages: \033[31mhello"));
    LineOutput quiet = new LineOutput(out, false, new BuildLogs(null));
    quiet.event(new BuildEvent.LogLine("b-1", Instant.now(), "cloud", "not shown"));

    assertThat(text()).contains("cloud | [   3.1] Installing packages: \\x1b[31mhello")
        .doesNotContain("\033").doesNotContain("not shown");
  }

  @Test
  void plainProgressPrintsAtMostAStepInTen() {
    LineOutput plain = new LineOutput(out, false, new BuildLogs(null));
    for (int i = 0; i <= 1000; i++) {
      plain.event(new BuildEvent.Progress("b-1", Instant.now(), "cloud", i / 1000.0, "downloading the base image"));
    }
    assertThat(text().lines().filter(l -> l.contains("downloading"))).hasSize(11);
    assertThat(text()).contains("cloud: 50% downloading the base image");
  }

  @Test
  void theTableShowsAProgressBarTheElapsedTimeAndColoursUnlessNoColor() {
    LiveTerminal coloured = LiveTerminal.open(invocation(Map.of("TERM", "xterm-256color")), true, 100, 10);
    TableOutput table = new TableOutput(coloured, false, new BuildLogs(null));
    table.event(new BuildEvent.Progress("b-1", Instant.now(), "cloud", 0.5, "downloading"));
    table.begin(List.of(build(BUILDING)));
    String frame = text().replaceAll("\033\\[[0-9;]*m", "");
    assertThat(frame).containsPattern("cloud +noble +BUILDING +\\d+s +\\[#####-----]  50% +customizing");
    assertThat(text()).contains("\033[33m"); // BUILDING in yellow

    LiveTerminal plain = LiveTerminal.open(other(Map.of("TERM", "xterm-256color", "NO_COLOR", "1")), true, 100, 10);
    new TableOutput(plain, false, new BuildLogs(null)).begin(List.of(build(BUILDING)));
    assertThat(otherText()).contains("BUILDING").doesNotContainPattern("\033\\[[0-9;]*m");
  }

  @Test
  void linksAreOsc8WhereTheTerminalShowsThem() {
    LiveTerminal linking = LiveTerminal.open(invocation(Map.of("TERM", "xterm-256color", "FORCE_HYPERLINK", "1")),
        true, 60, 10);
    new TableOutput(linking, false, new BuildLogs(null)).begin(List.of(build(BUILDING)));
    assertThat(text()).contains("\033]8;;https://example.org/builds/7\033\\");

    LiveTerminal plain = LiveTerminal.open(other(Map.of("TERM", "xterm-256color")), true, 60, 10);
    new TableOutput(plain, false, new BuildLogs(null)).begin(List.of(build(BUILDING)));
    assertThat(otherText()).contains("BUILDING").doesNotContain("\033]8;;");
  }

  @Test
  void aDumbTerminalGetsNoTable() {
    assertThat(LiveTerminal.open(invocation(Map.of("TERM", "dumb")), true, 80, 24)).isNull();
    assertThat(LiveTerminal.hyperlinks(invocation(Map.of("VTE_VERSION", "7200")))).isTrue();
    assertThat(LiveTerminal.hyperlinks(invocation(Map.of("VTE_VERSION", "7200", "FORCE_HYPERLINK", "0")))).isFalse();
  }

  @Test
  void textIsCleanedAndRedacted() {
    assertThat(Text.clean("a\033[2Jb\u202ec")).isEqualTo("a\\x1b[2Jb\\x202ec");
    assertThat(Text.redact("see https://user:pw@host.example/x and ftp://a@b/")).isEqualTo(
        "see https://<redacted>@host.example/x and ftp://<redacted>@b/");
    assertThat(Text.brief("<html>\n<body>" + "x".repeat(1000) + "</body>")).hasSize(Text.BRIEF).doesNotContain("\n");
  }
}
