package dev.imagebuilder.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The usage help's width: {@code COLUMNS} when it holds a number (bin/image-builder sets it for a
 * help in a terminal, so that picocli need not start {@code stty}), else picocli's own choice,
 * which out of a terminal is 80 columns.
 */
class UsageWidthTest {
  private static String help(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Invocation invocation = new Invocation(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream()), false, env::get, false);
    int status = new Cli(invocation).run(args);
    assertThat(status).as("exit status of %s", String.join(" ", args)).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int widest(String text) {
    return text.lines().mapToInt(String::length).max().orElse(0);
  }

  @Test
  void withoutColumnsTheHelpIsEightyColumnsWide() {
    assertThat(widest(help(Map.of(), "--help"))).isBetween(70, 79);
  }

  @Test
  void columnsSetsTheWidthOfTheHelpAndOfASubcommandsHelp() {
    assertThat(widest(help(Map.of("COLUMNS", "120"), "--help"))).isBetween(100, 119);
    assertThat(widest(help(Map.of("COLUMNS", "120"), "status", "--help"))).isBetween(81, 119);
  }

  @Test
  void aNarrowTerminalGetsPicoclisNarrowestLayout() {
    String narrow = help(Map.of("COLUMNS", "30"), "--help");

    assertThat(narrow).isEqualTo(help(Map.of("COLUMNS", "55"), "--help"));
    assertThat(widest(narrow)).isLessThanOrEqualTo(55);
  }

  @Test
  void aColumnsThatIsNotANumberIsIgnored() {
    String plain = help(Map.of(), "--help");

    for (String value : new String[] {"", "wide", "-1", "0", "12345", "80x"}) {
      assertThat(help(Map.of("COLUMNS", value), "--help")).as("COLUMNS=%s", value).isEqualTo(plain);
    }
  }
}
