package dev.imagebuilder.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

  @ParameterizedTest
  @CsvSource({
    "trusty,14.04", "xenial,16.04", "bionic,18.04", "focal,20.04", "jammy,22.04",
    "noble,24.04", "oracular,24.10", "plucky,25.04", "questing,25.10", "resolute,26.04"
  })
  void seriesAreKnownByCodenameAndVersion(String codename, String version) {
    Series byName = Series.of(codename);
    Series byVersion = Series.of(version);
    assertThat(byName).isEqualTo(byVersion).hasSameHashCodeAs(byVersion);
    assertThat(byName.version()).hasValue(version);
    assertThat(byVersion.codename()).hasValue(codename);
    assertThat(Series.of(" " + codename.toUpperCase() + " ")).isEqualTo(byName);
  }

  @Test
  void everyReleaseFrom1404OnIsKnown() {
    assertThat(Series.known()).hasSize(25);
    assertThat(Series.known().get(0).version()).hasValue("14.04");
    assertThat(Series.known()).allMatch(s -> s.codename().isPresent() && s.version().isPresent());
  }

  @Test
  void unknownButWellFormedSeriesAreAcceptedInTheFormGiven() {
    Series future = Series.of("27.10");
    assertThat(future.version()).hasValue("27.10");
    assertThat(future.codename()).isEmpty();
    Series named = Series.of("zealous");
    assertThat(named.codename()).hasValue("zealous");
    assertThat(named.version()).isEmpty();
    assertThat(named.toString()).isEqualTo("zealous");
  }

  @Test
  void aSeriesRemembersTheFormItWasGivenInWithoutChangingEquality() {
    assertThat(Series.of("Focal").asGiven()).isEqualTo("focal");
    assertThat(Series.of("20.04").asGiven()).isEqualTo("20.04");
    assertThat(Series.of("focal")).isEqualTo(Series.of("20.04")).hasToString("20.04");
    assertThat(Series.of("27.10").asGiven()).isEqualTo("27.10");
    assertThat(Series.of("zealous").asGiven()).isEqualTo("zealous");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "22.4", "22.13", "2204", "22.04.1", "Jammy Jellyfish", "../x", "x"})
  void malformedSeriesAreRejectedNamingTheValue(String bad) {
    assertThatThrownBy(() -> Series.of(bad)).isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("series: '" + bad + "' is not a series");
  }

  @Test
  void architecturesByTag() {
    assertThat(Architecture.of("AMD64")).isEqualTo(Architecture.AMD64);
    assertThat(Architecture.of("riscv64").tag()).isEqualTo("riscv64");
    assertThatThrownBy(() -> Architecture.of("x86_64")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("'x86_64' is not a known architecture")
        .hasMessageContaining("amd64, arm64, armhf, i386, ppc64el, s390x, riscv64");
  }

  @ParameterizedTest
  @CsvSource({
    "ppa:ubuntu-toolchain-r/test,ubuntu-toolchain-r,ubuntu,test,ppa:ubuntu-toolchain-r/test",
    "team/stuff,team,ubuntu,stuff,ppa:team/stuff",
    "owner/debian/name+1.0,owner,debian,name+1.0,owner/debian/name+1.0"
  })
  void ppasInEverySpelling(String text, String owner, String distro, String name, String reference) {
    Ppa ppa = Ppa.of(text);
    assertThat(ppa).isEqualTo(new Ppa(owner, distro, name));
    assertThat(ppa.reference()).isEqualTo(reference);
    assertThat(ppa.archiveUri()).hasToString(
        "https://ppa.launchpadcontent.net/" + owner + "/" + name + "/" + distro);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ppa:Owner/name", "ppa:owner", "owner/a/b/c", "ppa:o/name", "ppa:-x/name",
      "ppa:owner/na me", "ppa:owner/"})
  void badPpasAreRejectedNamingTheValue(String bad) {
    assertThatThrownBy(() -> Ppa.of(bad)).isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("ppa: '" + bad + "'");
  }

  @Test
  void packagesFollowDebianPolicy() {
    assertThat(PackageSpec.of("hello")).isEqualTo(new PackageSpec("hello", null));
    assertThat(PackageSpec.of("libc6=2.35-0ubuntu3.1").pinnedVersion()).hasValue("2.35-0ubuntu3.1");
    assertThat(PackageSpec.of("g++=4:12.2.0-3").toString()).isEqualTo("g++=4:12.2.0-3");
    assertThatThrownBy(() -> PackageSpec.of("Hello")).isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("package: 'Hello' is not a Debian package name");
    assertThatThrownBy(() -> PackageSpec.of("x")).hasMessageContaining("'x'");
    assertThatThrownBy(() -> PackageSpec.of("hello=")).hasMessageContaining("'hello='");
    assertThatThrownBy(() -> PackageSpec.of("hello=abc")).hasMessageContaining("no valid Debian version");
    assertThatThrownBy(() -> PackageSpec.of("rm -rf")).hasMessageContaining("'rm -rf'");
  }

  @Test
  void cloudDestinationsAreFileGlanceOrGlanceWithACloudName() {
    assertThat(CloudDestination.of(" file ")).isEqualTo(CloudDestination.FILE);
    assertThat(CloudDestination.FILE.isGlance()).isFalse();
    assertThat(CloudDestination.of("glance").isGlance()).isTrue();
    assertThat(CloudDestination.of("glance").cloud()).isEmpty();
    assertThat(CloudDestination.of("glance:ci-cloud").cloud()).contains("ci-cloud");
    assertThat(CloudDestination.glance("ci-cloud")).hasToString("glance:ci-cloud");
    assertThat(new CloudImageRequest(java.net.URI.create("file:///a.img"), Series.of("jammy"),
        java.util.List.of(), java.util.List.of(), null).destination()).isEqualTo(CloudDestination.FILE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "File", "swift", "glance:", "glance: x", "glance:a/b", "glance::x"})
  void badCloudDestinationsAreRejectedNamingTheValue(String bad) {
    assertThatThrownBy(() -> CloudDestination.of(bad)).isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("destination: '" + bad.strip() + "'");
  }
}
