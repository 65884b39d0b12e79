package dev.imagebuilder.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.ProcessRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestBackendContextTest {
  @Test
  void givesTheConfigurationAndThePartsItWasGiven() {
    Clock fixed = Clock.fixed(Instant.parse("2026-12-04T00:00:00Z"), ZoneOffset.UTC);
    ProcessRunner processes = (spec, lines) -> {
      throw new UnsupportedOperationException("not run");
    };
    BackendContext context = TestBackendContext.of("guestfs", Map.of("memory", "2048"))
        .withClock(fixed).withProcesses(processes).withStateDirectory(Path.of("/tmp/state"));

    assertThat(context.configuration().scope()).isEqualTo("guestfs");
    assertThat(context.configuration().integer("memory", 0)).isEqualTo(2048);
    assertThat(context.clock()).isSameAs(fixed);
    assertThat(context.processes()).isSameAs(processes);
    assertThat(context.stateDirectory()).isEqualTo(Path.of("/tmp/state"));
  }

  @Test
  void aPartNotGivenFailsNamingHowToGiveIt() {
    TestBackendContext context = TestBackendContext.of("launchpad", Map.of("token", "s3cret"));
    assertThatThrownBy(context::http).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("an HTTP service").hasMessageContaining("withHttp");
    assertThatThrownBy(context::downloader).hasMessageContaining("withDownloader");
    assertThatThrownBy(context::processes).hasMessageContaining("withProcesses");
    assertThatThrownBy(context::stateDirectory).hasMessageContaining("withStateDirectory");
    assertThat(context.clock()).isNotNull();
    assertThat(context.toString()).contains("launchpad").contains("token").doesNotContain("s3cret");
  }

  @Test
  void eachWithGivesANewContext() {
    TestBackendContext plain = TestBackendContext.of("x", Map.of());
    TestBackendContext withState = plain.withStateDirectory(Path.of("/s"));
    assertThat(withState).isNotSameAs(plain);
    assertThatThrownBy(plain::stateDirectory).isInstanceOf(IllegalStateException.class);
  }
}
