package dev.imagebuilder.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTest {
  private static Configuration of(Map<String, String> values) {
    return Configuration.of("probe", values);
  }

  @Test
  void ofReadsOnlyItsCopyOfTheMapAndShowsNoValues() {
    Map<String, String> values = new java.util.HashMap<>(Map.of("token", "s3cret", "poll-interval", "5s"));
    Configuration c = Configuration.of("launchpad", values);
    values.put("token", "changed");
    assertThat(c.scope()).isEqualTo("launchpad");
    assertThat(c.get("token")).contains("s3cret");
    assertThat(c.get("absent")).isEmpty();
    assertThat(c.duration("poll-interval", null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.toString()).isEqualTo("Configuration[launchpad: [poll-interval, token]]")
        .doesNotContain("s3cret");
    assertThatThrownBy(() -> c.require("absent")).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.launchpad.absent");
  }

  @Test
  void ofRefusesNulls() {
    assertThatThrownBy(() -> Configuration.of(null, Map.of())).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("scope");
    assertThatThrownBy(() -> Configuration.of("x", null)).isInstanceOf(NullPointerException.class);
    Map<String, String> withNull = new java.util.HashMap<>();
    withNull.put("k", null);
    assertThatThrownBy(() -> Configuration.of("x", withNull)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void durationsInEveryForm() {
    Configuration c = of(Map.of("a", "500ms", "b", "30", "c", "5m", "d", "2h", "e", "1d", "f", "pt90s"));
    assertThat(c.duration("a", null)).isEqualTo(Duration.ofMillis(500));
    assertThat(c.duration("b", null)).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.duration("c", null)).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.duration("d", null)).isEqualTo(Duration.ofHours(2));
    assertThat(c.duration("e", null)).isEqualTo(Duration.ofDays(1));
    assertThat(c.duration("f", null)).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.duration("absent", Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void aDurationTooLongToHoldIsABadValueNamingTheKey() {
    Configuration c = of(Map.of("digits", "99999999999999999999", "days", "999999999999999d"));
    assertThatThrownBy(() -> c.duration("digits", null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.probe.digits")
        .hasMessageContaining("99999999999999999999");
    assertThatThrownBy(() -> c.duration("days", null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.probe.days")
        .hasMessageContaining("999999999999999d");
  }

  @Test
  void badValuesNameTheKeyAndTheValue() {
    Configuration c = of(Map.of("n", "ten", "f", "maybe", "t", "soon"));
    assertThatThrownBy(() -> c.integer("n", 1)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.probe.n").hasMessageContaining("'ten'");
    assertThatThrownBy(() -> c.flag("f", false)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.probe.f").hasMessageContaining("'maybe'");
    assertThatThrownBy(() -> c.duration("t", null)).isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("imagebuilder.probe.t").hasMessageContaining("'soon'");
    assertThat(c.environmentName("poll-interval")).isEqualTo("IMAGEBUILDER_PROBE_POLL_INTERVAL");
  }

  @Test
  void aFixedMapReadsNoEnvironmentVariable() {
    // Regression: Configuration.of inherited the default that reads System.getenv.
    assertThat(System.getenv("PATH")).isNotBlank();
    assertThat(Configuration.of("x", Map.of()).environmentVariable("PATH")).isEmpty();
  }
}
