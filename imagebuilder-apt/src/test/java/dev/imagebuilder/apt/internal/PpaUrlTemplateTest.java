package dev.imagebuilder.apt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import org.junit.jupiter.api.Test;

class PpaUrlTemplateTest {
  static final String FIELD = "imagebuilder.systemimage.ppa-url-template";

  @Test
  void launchpadsHostIsTheDefaultAndEveryPlaceholderIsFilledIn() {
    Ppa ppa = Ppa.of("ppa:deadsnakes/ppa");
    assertThat(PpaUrlTemplate.LAUNCHPAD.archiveUri(ppa, Series.of("22.04")))
        .hasToString("https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu");
    assertThat(PpaUrlTemplate.parse(FIELD, " http://mirror.example/{series}/{distribution}/{owner}/{name} ")
        .archiveUri(ppa, Series.of("jammy")))
        .hasToString("http://mirror.example/jammy/ubuntu/deadsnakes/ppa");
    assertThat(PpaUrlTemplate.parse(FIELD, "file:/srv/ppa/{owner}/{name}").archiveUri(ppa, Series.of("jammy")))
        .hasToString("file:/srv/ppa/deadsnakes/ppa");
  }

  @Test
  void aBadTemplateIsRejectedNamingTheKeyAndTheValue() {
    assertThatThrownBy(() -> PpaUrlTemplate.parse(FIELD, "https://mirror/{owner}/{bogus}"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(FIELD + ": 'https://mirror/{owner}/{bogus}' has an unknown placeholder {bogus}"
            + " (known: {owner}, {name}, {distribution}, {series})");
    assertThatThrownBy(() -> PpaUrlTemplate.parse(FIELD, "ftp://mirror/{owner}"))
        .hasMessage(FIELD + ": 'ftp://mirror/{owner}' must be an https, http or file URL template");
    assertThatThrownBy(() -> PpaUrlTemplate.parse(FIELD, "mirror/{owner}"))
        .hasMessage(FIELD + ": 'mirror/{owner}' must be an https, http or file URL template");
    assertThatThrownBy(() -> PpaUrlTemplate.parse(FIELD, "https://user:secret@mirror/{owner}"))
        .hasMessage(FIELD + ": URL must not carry user information");
    assertThatThrownBy(() -> PpaUrlTemplate.parse(FIELD, "https://mirror/a b/{owner}"))
        .hasMessageStartingWith(FIELD + ": 'https://mirror/a b/{owner}' is not a URL template");
  }
}
