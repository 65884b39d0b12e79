package dev.imagebuilder.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class TransportSecurityTest {
  @Test
  void knowsLoopbackWithoutLookingNamesUp() {
    assertThat(TransportSecurity.isLoopback("localhost")).isTrue();
    assertThat(TransportSecurity.isLoopback("127.0.0.1")).isTrue();
    assertThat(TransportSecurity.isLoopback("127.8.9.10")).isTrue();
    assertThat(TransportSecurity.isLoopback("[::1]")).isTrue();
    assertThat(TransportSecurity.isLoopback("10.0.0.1")).isFalse();
    assertThat(TransportSecurity.isLoopback("127.0.0.1.nip.io")).isFalse();
    assertThat(TransportSecurity.isLoopback("api.launchpad.net")).isFalse();
  }

  @Test
  void allowsHttpsAnywhereAndHttpOnLoopbackOrWhenAllowed() {
    assertThatCode(() -> TransportSecurity.check(URI.create("https://api.launchpad.net/devel"), false))
        .doesNotThrowAnyException();
    assertThatCode(() -> TransportSecurity.check(URI.create("http://127.0.0.1:8080/x"), false))
        .doesNotThrowAnyException();
    assertThatCode(() -> TransportSecurity.check(URI.create("http://mirror.example/x"), true))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> TransportSecurity.check(URI.create("http://mirror.example/x"), false))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("mirror.example");
    assertThatThrownBy(() -> TransportSecurity.check(URI.create("ftp://mirror.example/x"), true))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not an http or https URL");
  }
}
