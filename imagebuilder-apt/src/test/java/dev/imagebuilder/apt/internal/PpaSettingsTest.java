package dev.imagebuilder.apt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.testkit.PlainHttpService;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PpaSettingsTest {
  final List<String> warnings = new CopyOnWriteArrayList<>();
  final DeprecatedKeys deprecated = new DeprecatedKeys(warnings::add);

  static Configuration config(String scope, Map<String, String> values) {
    return new Configuration() {
      @Override
      public String scope() {
        return scope;
      }

      @Override
      public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
      }
    };
  }

  @Test
  void bothBackendsHaveTheSameDefaults() {
    for (String scope : List.of("guestfs", "systemimage")) {
      PpaSettings s = PpaSettings.from(config(scope, Map.of()), deprecated);

      assertThat(s.urlTemplate()).isEqualTo(PpaUrlTemplate.LAUNCHPAD);
      assertThat(s.keyFile()).isEmpty();
      assertThat(s.launchpadApi()).isEqualTo(URI.create("https://api.launchpad.net/devel/"));
      assertThat(s.keyserver().template())
          .isEqualTo("https://keyserver.ubuntu.com/pks/lookup?op=get&options=mr&search=0x{fingerprint}");
      assertThat(s.describeKeySource()).isEqualTo("Launchpad https://api.launchpad.net/devel/ and keyserver"
          + " https://keyserver.ubuntu.com/pks/lookup?op=get&options=mr&search=0x{fingerprint}");
      assertThat(s.keySource(new PlainHttpService(), Duration.ofSeconds(1))).isInstanceOf(LaunchpadPpaKeySource.class);
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void theKeysAreReadInTheBackendsScope() {
    PpaSettings s = PpaSettings.from(config("guestfs", Map.of(
        "ppa-url-template", "file:/srv/{owner}/{name}",
        "ppa-key-file", " /etc/keys/ppa.asc ",
        "launchpad-api", "https://lp.example/1.0",
        "keyserver", "https://keys.example/hkp/")), deprecated);

    assertThat(s.urlTemplate()).hasToString("file:/srv/{owner}/{name}");
    assertThat(s.keyFile()).contains(Path.of("/etc/keys/ppa.asc"));
    assertThat(s.keyFileSetting()).isEqualTo("imagebuilder.guestfs.ppa-key-file");
    assertThat(s.launchpadApi()).isEqualTo(URI.create("https://lp.example/1.0/"));
    assertThat(s.keyserver().uriFor("AB".repeat(20)))
        .isEqualTo(URI.create("https://keys.example/hkp/pks/lookup?op=get&options=mr&search=0x" + "AB".repeat(20)));
    assertThat(s.keySource(new PlainHttpService(), Duration.ofSeconds(1))).isInstanceOf(FilePpaKeySource.class);
    assertThat(s.describeKeySource()).isEqualTo("key file /etc/keys/ppa.asc");
  }

  @Test
  void theOldKeyserverTemplateKeyStillWorksAndIsWarnedAboutOnce() {
    Configuration old = config("systemimage", Map.of("keyserver-url-template",
        "https://keys.example/lookup?fpr={fingerprint}"));

    PpaSettings first = PpaSettings.from(old, deprecated);
    PpaSettings second = PpaSettings.from(old, deprecated);

    assertThat(first.keyserver().uriFor("AB".repeat(20)))
        .isEqualTo(URI.create("https://keys.example/lookup?fpr=" + "AB".repeat(20)));
    assertThat(second).isEqualTo(first);
    assertThat(warnings).containsExactly("imagebuilder.systemimage.keyserver-url-template"
        + " (IMAGEBUILDER_SYSTEMIMAGE_KEYSERVER_URL_TEMPLATE) is deprecated and will be removed;"
        + " use imagebuilder.systemimage.keyserver (IMAGEBUILDER_SYSTEMIMAGE_KEYSERVER)");
  }

  @Test
  void theNewKeyWinsOverTheOldOneAndTheWarningSaysSo() {
    PpaSettings s = PpaSettings.from(config("systemimage", Map.of(
        "keyserver-url-template", "https://old.example/{fingerprint}",
        "keyserver", "https://new.example")), deprecated);

    assertThat(s.keyserver().template()).startsWith("https://new.example/pks/lookup?");
    assertThat(warnings).singleElement().asString().endsWith(", which is also set and is the one used");
  }

  @Test
  void aBadValueIsRejectedNamingTheKeyTheUserSet() {
    assertThatThrownBy(() -> PpaSettings.from(config("guestfs", Map.of("keyserver", "hkp://keys")), deprecated))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("imagebuilder.guestfs.keyserver: 'hkp://keys' is not an http or https URL");
    assertThatThrownBy(() -> PpaSettings.from(config("systemimage",
        Map.of("keyserver-url-template", "ftp://keys/{fingerprint}")), deprecated))
        .hasMessage("imagebuilder.systemimage.keyserver-url-template: 'ftp://keys/{fingerprint}'"
            + " is not an http or https URL");
    assertThatThrownBy(() -> PpaSettings.from(config("guestfs", Map.of("launchpad-api", "api.launchpad.net")), deprecated))
        .hasMessage("imagebuilder.guestfs.launchpad-api: 'api.launchpad.net' is not an http or https URL");
    assertThatThrownBy(() -> PpaSettings.from(config("guestfs", Map.of("launchpad-api", "https://u:p@lp/")), deprecated))
        .hasMessage("imagebuilder.guestfs.launchpad-api: URL must not carry user information");
    assertThatThrownBy(() -> PpaSettings.from(config("guestfs", Map.of("ppa-url-template", "gopher://x")), deprecated))
        .hasMessageStartingWith("imagebuilder.guestfs.ppa-url-template: 'gopher://x' must be");
    assertThatThrownBy(() -> PpaSettings.from(config("guestfs", Map.of("keyserver", "https://keys/{fingerprint} x")), deprecated))
        .hasMessageStartingWith("imagebuilder.guestfs.keyserver: 'https://keys/{fingerprint} x' is not a URL");
  }
}
