package dev.imagebuilder.systemimage.internal.customize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  private static List<String> parse(String s) {
    return CommandLine.parse("k", s);
  }

  @Test
  void splitsWordsAsAPosixShellDoes() {
    assertThat(parse("  a  b\tc ")).containsExactly("a", "b", "c");
    assertThat(parse("sh -c 'echo \"$1\" | tr a b' sh {rootfs}"))
        .containsExactly("sh", "-c", "echo \"$1\" | tr a b", "sh", "{rootfs}");
    assertThat(parse("x\" y \\\" \\$ \\n\"z")).containsExactly("x y \" $ \\nz");
    assertThat(parse("a\\ b '' \"\"")).containsExactly("a b", "", "");
    assertThat(parse("'it'\\''s'")).containsExactly("it's");
  }

  @Test
  void takesAJsonArrayWordForWord() {
    assertThat(parse("[\"sh\", \"-c\", \"a 'b' \\\"c\\\"\"]")).containsExactly("sh", "-c", "a 'b' \"c\"");
  }

  @Test
  void refusesWhatItCannotSplitNamingTheKeyAndTheValue() {
    for (String bad : List.of("sh -c 'x", "sh -c \"x", "a \\", "", "   ", "[]", "[1]", "[\"a\"",
        "'' b")) {
      assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("k");
    }
    assertThatThrownBy(() -> parse("sh -c 'x")).hasMessageContaining("'sh -c 'x'")
        .hasMessageContaining("unterminated single-quoted");
  }
}
