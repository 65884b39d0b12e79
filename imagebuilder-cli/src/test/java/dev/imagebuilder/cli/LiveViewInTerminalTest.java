package dev.imagebuilder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.testkit.DemoData;
import dev.imagebuilder.testkit.FakeLaunchpad;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view on a real terminal: the command runs as its own process in a tmux window (a
 * pseudo-terminal, TERM=tmux-256color), against the fake Launchpad with the demo recipes (48
 * targets, more than fit the screen). The scrollback must not fill with frames, a resize must be
 * followed, and TERM=dumb must get plain lines.
 */
class LiveViewInTerminalTest {
  @TempDir Path dir;
  FakeLaunchpad launchpad;
  Tmux tmux;

  @BeforeEach
  void start() {
    Tmux.requireTmux();
    launchpad = FakeLaunchpad.builder().realTime(Duration.ofMillis(600)).start();
    DemoData.install(launchpad);
    tmux = new Tmux();
  }

  @AfterEach
  void stop() {
    if (tmux != null) {
      tmux.close();
    }
    if (launchpad != null) {
      launchpad.close();
    }
  }

  /** The command as a shell would run it: this test's class path, its own JVM, the given environment. */
  String command(String environment, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "env", "-u", "NO_COLOR", "-u", "COLUMNS", "-u", "LINES", "TERM=tmux-256color"));
    if (!environment.isEmpty()) {
      args.addAll(List.of(environment.split(" ")));
    }
    args.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.imagebuilder.cli.Main",
        "--launchpad", launchpad.serviceRoot().toString(),
        "--credentials", launchpad.writeCredentials(dir.resolve("credentials")).toString(),
        "--catalog", launchpad.writeCatalog(dir.resolve("catalog.json")).toString(),
        "--poll-interval", "200ms", "--state", dir.resolve("state.json").toString(), "--wait",
        "--auto-retry-uploads", "--config", "launchpad.upload-retry-backoff=200ms"));
    args.addAll(List.of(more));
    return args.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
  }

  static long headers(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("IMAGE ")).count();
  }

  /** The live count line: "48 targets: 12 building, 36 queued  [3s]". */
  static boolean isCountLine(String line) {
    return line.matches("\\d+ targets?: .*\\[\\d+[hms0-9]*]\\s*");
  }

  @Test
  void at80x24TheScrollbackKeepsOneFrameAtTheEnd() {
    tmux.start(80, 24, command(""));
    List<String> live = tmux.awaitScreen("the live table", s -> s.stream().anyMatch(LiveViewInTerminalTest::isCountLine));
    // While it runs: one frame on the screen, no line wider than the screen.
    assertThat(headers(live)).isEqualTo(1);
    assertThat(live).allSatisfy(l -> assertThat(l.length()).isLessThan(80));

    tmux.awaitEnd();

    List<String> all = tmux.everything();
    String text = String.join("\n", all);
    assertThat(text).contains("48 targets: 48 succeeded.").contains("All targets succeeded.").contains("EXIT:0");
    // One frame left, the final one, right after the notices; no live frame anywhere.
    assertThat(headers(all)).as(text).isEqualTo(1);
    int header = IntStream.range(0, all.size()).filter(i -> all.get(i).startsWith("IMAGE ")).findFirst().orElseThrow();
    assertThat(header).as(text).isLessThanOrEqualTo(4);
    assertThat(all).noneMatch(LiveViewInTerminalTest::isCountLine);
    // Every target once in the final frame: 48 rows (their whole links wrap at 80 columns).
    assertThat(all.stream().filter(l -> l.matches("(redis|postgres|nginx|memcached) +\\d\\d\\.04 .*SUCCEEDED.*")))
        .hasSize(48);
    assertThat(tmux.historySize()).as(text).isLessThan(48 * 3 + 20);
  }

  @Test
  void aResizeIsFollowed() {
    tmux.start(120, 40, command(""));
    tmux.awaitScreen("the live table", s -> s.stream().anyMatch(LiveViewInTerminalTest::isCountLine));

    tmux.resize(80, 40);
    // Redrawn for 80 columns: one frame, no line wrapped, the count line under it. Waits for the
    // whole frame: a capture while the frame is being written shows the new header above rows of
    // the old 120-column frame, which tmux wrapped when the window narrowed.
    List<String> narrow = tmux.awaitScreen("a frame at 80 columns", s -> headers(s) == 1
        && s.stream().allMatch(l -> l.length() < 80)
        && s.stream().anyMatch(LiveViewInTerminalTest::isCountLine));
    assertThat(narrow).allSatisfy(l -> assertThat(l.length()).as(String.join("\n", narrow)).isLessThan(80));
    assertThat(narrow.stream().filter(LiveViewInTerminalTest::isCountLine)).hasSize(1);

    tmux.resize(120, 60);
    // Taller: more rows shown, still one frame.
    List<String> tall = tmux.awaitScreen("a frame using 60 rows", s -> headers(s) == 1
        && s.stream().filter(l -> l.matches("(redis|postgres|nginx|memcached) .*")).count() > 40);
    assertThat(tall.stream().filter(LiveViewInTerminalTest::isCountLine)).hasSize(1);

    tmux.awaitEnd();
    List<String> all = tmux.everything();
    assertThat(String.join("\n", all)).contains("All targets succeeded.").contains("EXIT:0");
    assertThat(all).noneMatch(LiveViewInTerminalTest::isCountLine);
  }

  @Test
  void ctrlCEndsTheTableWithTheSummaryAndExit130() {
    tmux.start(80, 24, command(""));
    tmux.awaitScreen("the live table", s -> s.stream().anyMatch(LiveViewInTerminalTest::isCountLine));

    tmux.sendKeys("C-c");
    tmux.awaitEnd();

    List<String> all = tmux.everything();
    String text = String.join("\n", all);
    // JLine must leave SIGINT to the JVM: its shutdown hook writes the journal and the summary.
    assertThat(text).contains("Interrupted: stopped waiting, nothing was cancelled").contains("EXIT:130");
    assertThat(all).noneMatch(LiveViewInTerminalTest::isCountLine);
    assertThat(headers(all)).isEqualTo(1);
    assertThat(dir.resolve("state.json")).exists();
  }

  @Test
  void termDumbGetsPlainLinesWithoutEscapes() {
    tmux.start(80, 24, command("TERM=dumb").replace("'TERM=tmux-256color' ", ""));
    tmux.awaitEnd();

    List<String> all = tmux.everything();
    String text = String.join("\n", all);
    assertThat(headers(all)).isZero();
    assertThat(text).contains("redis 22.04 arm64: SUCCEEDED").contains("All targets succeeded.");
  }
}
