package dev.imagebuilder.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class AmqpUrisTest {
  @Test
  void redactedHidesTheUserInformation() {
    assertThat(AmqpUris.redacted(URI.create("amqp://guest:secret@broker:5672/%2F")))
        .isEqualTo("amqp://***@broker:5672/%2F");
    assertThat(AmqpUris.redacted(URI.create("amqps://broker/vhost"))).isEqualTo("amqps://broker/vhost");
  }

  /** Regression: Java parses such an authority as registry-based, with no user information. */
  @Test
  void passwordWithAnAtSignIsHiddenToo() {
    URI uri = URI.create("amqp://user:p@ss@broker:5672/");
    assertThat(uri.getRawUserInfo()).isNull();
    assertThat(AmqpUris.redacted(uri)).isEqualTo("amqp://***@broker:5672/").doesNotContain("ss");
    assertThatThrownBy(() -> AmqpUris.check("uri", uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an amqp:// or amqps:// URI with a host")
        .hasMessageNotContaining("p@ss");
  }

  @Test
  void opaqueUriWithAPasswordIsHidden() {
    assertThatThrownBy(() -> AmqpUris.check("uri", URI.create("amqp:user:secret@broker")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("secret");
  }
}
