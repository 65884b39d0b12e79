package dev.imagebuilder.apt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PpaAptSourceTest {
  /** The names apt reads in sources.list.d (apt-pkg/contrib/fileutl.cc); others are skipped silently. */
  static final Pattern APT_READS = Pattern.compile("[A-Za-z0-9_:.-]+\\.sources");
  static final OpenPgpKeyring KEY = OpenPgpKeyring.parse(Keys.bytes("test-ppa-key.asc"), "test key");

  @TempDir Path tmp;

  @Test
  void aPpaBecomesADeb822SourceSignedByItsOwnKeyring() {
    PpaAptSource s = PpaAptSource.of(Ppa.of("ppa:deadsnakes/ppa"), Series.of("jammy"), PpaUrlTemplate.LAUNCHPAD, KEY);

    assertThat(s.sourcesPath()).isEqualTo("/etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.sources");
    assertThat(s.keyringPath()).isEqualTo("/etc/apt/keyrings/deadsnakes-ubuntu-ppa.gpg");
    assertThat(s.deb822()).isEqualTo("""
        # ppa:deadsnakes/ppa, added by imagebuilder (key %s)
        Types: deb
        URIs: https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu
        Suites: jammy
        Components: main
        Signed-By: /etc/apt/keyrings/deadsnakes-ubuntu-ppa.gpg
        """.formatted(Keys.PPA_FINGERPRINT));
  }

  @Test
  void aPlusInAPpaNameGivesAFileNameAptReads() {
    // Regression: the touch backend named this file imagebuilder-team-ubuntu-tools+extra.sources,
    // which apt skips without a word, so the PPA was silently missing from the image.
    PpaAptSource s = PpaAptSource.of(Ppa.of("ppa:team+x/tools+extra"), Series.of("focal"), PpaUrlTemplate.LAUNCHPAD, KEY);

    assertThat(s.sourcesFileName()).isEqualTo("team_x-ubuntu-tools_extra-focal.sources").matches(APT_READS);
    assertThat(s.keyringFileName()).isEqualTo("team_x-ubuntu-tools_extra.gpg");
    assertThat(s.archive()).hasToString("https://ppa.launchpadcontent.net/team+x/tools+extra/ubuntu");
  }

  @Test
  void severalKeysAreAllNamedInTheComment() {
    OpenPgpKeyring two = OpenPgpKeyring.parse(OpenPgpKeyringTest.concat(Keys.bytes("test-ppa-key.gpg"),
        OpenPgpKeyring.parse(Keys.bytes("other-key.asc"), "o").packets()), "two");
    PpaAptSource s = PpaAptSource.of(Ppa.of("owner/debian/tools"), Series.of("bookworm"),
        PpaUrlTemplate.parse("t", "file:/srv/{distribution}/{owner}/{name}/{series}"), two);

    assertThat(s.deb822()).startsWith("# owner/debian/tools, added by imagebuilder (keys "
        + Keys.PPA_FINGERPRINT + ", " + Keys.OTHER_FINGERPRINT + ")\n")
        .contains("URIs: file:/srv/debian/owner/tools/bookworm\n", "Suites: bookworm\n");
    assertThat(s.sourcesFileName()).isEqualTo("owner-debian-tools-bookworm.sources");
  }

  @Test
  void installWritesTheKeyringAndTheSourcesFileReadableByApt() throws Exception {
    PpaAptSource s = PpaAptSource.of(Ppa.of("ppa:team/tools"), Series.of("focal"), PpaUrlTemplate.LAUNCHPAD, KEY);
    Path root = Files.createDirectories(tmp.resolve("rootfs/etc"));
    root = root.getParent();

    AptRootFiles.install(root, s);

    assertThat(root.resolve("etc/apt/keyrings/team-ubuntu-tools.gpg")).hasBinaryContent(KEY.packets());
    assertThat(root.resolve("etc/apt/sources.list.d/team-ubuntu-tools-focal.sources")).hasContent(s.deb822());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/apt/keyrings"))))
        .isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        root.resolve("etc/apt/sources.list.d/team-ubuntu-tools-focal.sources")))).isEqualTo("rw-r--r--");

    AptRootFiles.install(root, s); // a second time replaces, as a rebuild of the same rootfs does
    assertThat(root.resolve("etc/apt/keyrings/team-ubuntu-tools.gpg")).hasBinaryContent(KEY.packets());
  }

  @Test
  void installNeverFollowsASymbolicLinkOutOfTheRoot() throws Exception {
    PpaAptSource s = PpaAptSource.of(Ppa.of("ppa:team/tools"), Series.of("focal"), PpaUrlTemplate.LAUNCHPAD, KEY);
    Path root = Files.createDirectories(tmp.resolve("rootfs/etc"));
    Path host = Files.createDirectories(tmp.resolve("host-apt"));
    Files.createSymbolicLink(root.resolve("apt"), host);

    assertThatThrownBy(() -> AptRootFiles.install(root.getParent(), s))
        .isInstanceOf(IOException.class).hasMessage("etc/apt in the root filesystem is a symbolic link");
    assertThat(host).isEmptyDirectory();
  }
}
