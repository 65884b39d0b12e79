package dev.imagebuilder.systemimage.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void escapesControlAndDirectionCharactersAndKeepsTheRest() {
    assertThat(Printable.escape("plain: é ü 20.04/arm64")).isEqualTo("plain: é ü 20.04/arm64");
    assertThat(Printable.escape("\u001b[31mred\r\nx\u0085\u202e\u007f"))
        .isEqualTo("\\u001b[31mred\\u000d\\u000ax\\u0085\\u202e\\u007f");
    assertThat(Printable.escape("tab\tkept")).isEqualTo("tab\tkept");
    assertThat(Printable.escape("abcdef", 3)).isEqualTo("abc...");
  }

  @Test
  void remoteNamesFollowTheRequestRules() {
    assertThat(RemoteNames.isDevice("FP4")).isTrue();
    assertThat(RemoteNames.isDevice("hammerhead_a-b.c+d")).isTrue();
    for (String bad : new String[] {"a/b", "", ".hidden", "-x", "\u001bx", "a b", "..", null}) {
      assertThat(RemoteNames.isDevice(bad)).as("%s", bad).isFalse();
    }
    assertThat(RemoteNames.isChannel("20.04/arm64/android9plus/stable")).isTrue();
    for (String bad : new String[] {"/a", "a/", "a//b", "a/../b", "a/\u001b", "", null}) {
      assertThat(RemoteNames.isChannel(bad)).as("%s", bad).isFalse();
    }
  }
}
