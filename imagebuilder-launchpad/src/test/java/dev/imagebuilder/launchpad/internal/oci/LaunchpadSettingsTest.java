package dev.imagebuilder.launchpad.internal.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.launchpad.LaunchpadBackendProvider;
import dev.imagebuilder.spi.Configuration;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchpadSettingsTest {
  @TempDir Path dir;
  final Map<String, String> values = new HashMap<>();
  /** The values as they are when the test reads them. */
  Configuration config() {
    return Configuration.of("launchpad", values);
  }

  @Test
  void defaults() {
    values.put("catalog", "/etc/catalog.json");
    LaunchpadSettings s = LaunchpadSettings.from(config());
    assertThat(s.root().api()).isEqualTo(URI.create("https://api.launchpad.net/devel/"));
    assertThat(s.root().web()).isEqualTo(URI.create("https://launchpad.net/"));
    assertThat(s.credentials()).isNull();
    assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.uploadRetryBackoff()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.maxConcurrentRequests()).isEqualTo(8);
  }

  @Test
  void uploadRetryBackoffDoublesUpToAnHour() {
    values.put("catalog", "c.json");
    LaunchpadSettings s = LaunchpadSettings.from(config());
    assertThat(s.uploadRetryDelay(1)).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.uploadRetryDelay(2)).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.uploadRetryDelay(4)).isEqualTo(Duration.ofMinutes(40));
    assertThat(s.uploadRetryDelay(5)).isEqualTo(Duration.ofHours(1));
    assertThat(s.uploadRetryDelay(50)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void directCredentialsWinOverTheFileAndNeverShow() throws Exception {
    values.put("catalog", "c.json");
    values.put("credentials-file", dir.resolve("missing").toString());
    values.put("access-token", "TOKEN-X");
    values.put("access-secret", "SECRET-Y");
    LaunchpadSettings s = LaunchpadSettings.from(config());
    assertThat(s.credentials().accessSecret()).isEqualTo("SECRET-Y");
    assertThat(s.credentials().consumerKey()).isEqualTo("image-builder");
    assertThat(s.toString()).contains("credentials=set").doesNotContain("SECRET-Y").doesNotContain("TOKEN-X");
  }

  @Test
  void tokenWithoutSecretNamesTheMissingKey() {
    values.put("catalog", "c.json");
    values.put("access-token", "TOKEN-X");
    assertThatThrownBy(() -> LaunchpadSettings.from(config()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.launchpad.access-secret")
        .hasMessageNotContaining("TOKEN-X");
  }

  @Test
  void credentialsFileIsRead() throws Exception {
    values.put("catalog", "c.json");
    Path f = dir.resolve("creds");
    Files.writeString(f, "[1]\nconsumer_key = app\nconsumer_secret =\naccess_token = T1\naccess_secret = S1\n");
    values.put("credentials-file", f.toString());
    assertThat(LaunchpadSettings.from(config()).credentials().accessToken()).isEqualTo("T1");
  }

  @Test
  void badValuesAreNamed() {
    values.put("catalog", "c.json");
    values.put("poll-interval", "soon");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("imagebuilder.launchpad.poll-interval")
        .hasMessageContaining("'soon'");
    values.put("poll-interval", "0s");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("must be positive");
    values.remove("poll-interval");
    values.put("max-concurrent-requests", "0");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("max-concurrent-requests");
    values.remove("max-concurrent-requests");
    values.put("service-root", "ftp://x");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("imagebuilder.launchpad.service-root");
  }

  @Test
  void providerIsUnavailableWithoutACatalog() {
    LaunchpadBackendProvider p = new LaunchpadBackendProvider();
    assertThat(p.name()).isEqualTo("launchpad");
    assertThat(p.supports(dev.imagebuilder.api.OciImageRequest.class)).isTrue();
    assertThat(p.supports(dev.imagebuilder.api.CloudImageRequest.class)).isFalse();
    assertThat(p.unavailableReason(config())).hasValueSatisfying(r -> assertThat(r)
        .contains("imagebuilder.launchpad.catalog").contains("IMAGEBUILDER_LAUNCHPAD_CATALOG"));
    values.put("catalog", "c.json");
    assertThat(p.unavailableReason(config())).isEmpty();
  }

  @Test
  void pollIntervalsAndWebhooks() {
    values.put("catalog", "c.json");
    values.put("poll-interval", "10s");
    LaunchpadSettings s = LaunchpadSettings.from(config());
    assertThat(s.maxPollInterval()).isEqualTo(Duration.ofSeconds(80));
    assertThat(s.webhooks()).isFalse();
    values.put("webhook-listen", "127.0.0.1:0");
    assertThat(LaunchpadSettings.from(config()).webhooks()).isTrue();
    values.put("webhook-listen", "0.0.0.0:8090");
    values.put("webhook-url", "https://hooks.example/lp/");
    assertThat(LaunchpadSettings.from(config()).webhookUrl()).isEqualTo(URI.create("https://hooks.example/lp/"));
  }

  @Test
  void badPollAndWebhookSettingsNameTheKeyAndValue() {
    values.put("catalog", "c.json");
    values.put("poll-interval", "10s");
    values.put("max-poll-interval", "5s");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("launchpad.max-poll-interval").hasMessageContaining("shorter than the poll interval");
    values.remove("max-poll-interval");
    values.put("webhook-listen", "localhost");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("launchpad.webhook-listen")
        .hasMessageContaining("'localhost' is not host:port");
    values.put("webhook-listen", "0.0.0.0:8090");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("launchpad.webhook-url")
        .hasMessageContaining("needs the URL Launchpad reaches it at");
    values.put("webhook-url", "ftp://hooks.example/");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("launchpad.webhook-url")
        .hasMessageContaining("'ftp://hooks.example/'");
    values.remove("webhook-listen");
    values.put("webhook-url", "https://hooks.example/");
    assertThatThrownBy(() -> LaunchpadSettings.from(config())).hasMessageContaining("launchpad.webhook-listen");
  }
}
