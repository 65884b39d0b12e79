package dev.imagebuilder.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.Configuration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider's choices, without a broker. */
class AmqpBackendProviderTest {
  private static Configuration config(Map<String, String> values) {
    return Configuration.of("amqp", values);
  }

  private final AmqpBackendProvider provider = new AmqpBackendProvider();

  @Test
  void isDiscoveredByServiceLoader() {
    try (ImageBuilder builder = ImageBuilder.newBuilder().environment(k -> null).build()) {
      assertThat(builder.backendNames()).contains("amqp");
    }
  }

  @Test
  void unavailableWithoutBrokerNamingTheKeys() {
    assertThat(provider.unavailableReason(config(Map.of()))).hasValueSatisfying(reason ->
        assertThat(reason).contains("imagebuilder.amqp.uri").contains("IMAGEBUILDER_AMQP_URI"));
  }

  @Test
  void availableWithABroker() {
    assertThat(provider.unavailableReason(config(Map.of("uri", "amqp://guest:guest@127.0.0.1")))).isEmpty();
  }

  @Test
  void badSettingsMakeItUnavailableWithoutShowingThePassword() {
    assertThat(provider.unavailableReason(config(Map.of("uri", "http://user:s3cret@host/"))))
        .hasValueSatisfying(r -> assertThat(r).contains("imagebuilder.amqp.uri").doesNotContain("s3cret"));
    assertThat(provider.unavailableReason(config(Map.of("uri", "amqp://h", "image-types", "touch,floppy"))))
        .hasValueSatisfying(r -> assertThat(r).contains("image-types").contains("floppy"));
    assertThat(provider.unavailableReason(config(Map.of("uri", "amqp://h", "queue", "no spaces"))))
        .hasValueSatisfying(r -> assertThat(r).contains("queue").contains("no spaces"));
  }

  /** Regression: a bad confirm-timeout was reported under the key reply-expiry. */
  @Test
  void badConfirmTimeoutNamesItsOwnKey() {
    assertThat(provider.unavailableReason(config(Map.of("uri", "amqp://h", "confirm-timeout", "0s"))))
        .hasValueSatisfying(r -> assertThat(r).contains("confirm-timeout").doesNotContain("reply-expiry"));
    assertThat(provider.unavailableReason(config(Map.of("uri", "amqp://h", "reply-expiry", "10ms"))))
        .hasValueSatisfying(r -> assertThat(r).contains("reply-expiry"));
  }

  @Test
  void ranksBelowLocalBackendsAndCarriesEveryType() {
    assertThat(provider.name()).isEqualTo("amqp");
    assertThat(provider.priority()).isNegative();
    assertThat(provider.supports(TouchImageRequest.class)).isTrue();
    assertThat(provider.supports(CloudImageRequest.class)).isTrue();
    assertThat(provider.supports(OciImageRequest.class)).isTrue();
  }
}
