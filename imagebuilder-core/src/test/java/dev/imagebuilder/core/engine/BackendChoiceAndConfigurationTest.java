package dev.imagebuilder.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.BuildHandle;
import dev.imagebuilder.api.BuildStatus;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.Plan;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.core.ImageBuilder;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.BuildContext;
import dev.imagebuilder.spi.BuildJob;
import dev.imagebuilder.spi.Configuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendChoiceAndConfigurationTest {
  @TempDir Path state;

  private static final TouchImageRequest TOUCH = ImageRequest.touch()
      .systemImageServer("https://si.example.org").channel("stable").devices("FP4").series("focal").build();

  @Test
  void aDiscoveredProviderServesWhenAvailable() {
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state)
        .config("discovered.enabled", "true").build()) {
      assertThat(b.backendNames()).contains("discovered");
      BuildHandle h = b.submit(TOUCH);
      DiscoveredFarmProvider.FARM.finishAll();
      assertThat(h.await(Duration.ofSeconds(10)).succeeded()).isTrue();
      assertThat(h.backend()).isEqualTo("discovered");
    }
  }

  @Test
  void anUnavailableProviderIsNamedWithItsReason() {
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state).environment(k -> null).build()) {
      assertThatThrownBy(() -> b.submit(TOUCH)).isInstanceOf(NoBackendAvailableException.class)
          .hasMessageContaining("discovered: not enabled (set imagebuilder.discovered.enabled=true)");
    }
  }

  @Test
  void registeredProvidersWinOverDiscoveredOnes() {
    FakeFarm mine = new FakeFarm();
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state)
        .config("discovered.enabled", "true")
        .backend(mine.provider("mine", Set.of(TouchImageRequest.class))).build()) {
      assertThat(b.submit(TOUCH).backend()).isEqualTo("mine");
    }
  }

  @Test
  void aBackendNamedInConfigurationIsUsedAndAMissingOneIsAnError() {
    FakeFarm a = new FakeFarm();
    FakeFarm other = new FakeFarm();
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state).discoverBackends(false)
        .environment(k -> k.equals("IMAGEBUILDER_BACKEND_OCI") ? "second" : null)
        .build()) {
      assertThatThrownBy(() -> b.plan(ImageRequest.oci().images("x").build()))
          .isInstanceOf(NoBackendAvailableException.class)
          .hasMessageContaining("backend 'second' configured for oci requests")
          .hasMessageContaining("is not installed");
    }
    // Registered providers are chosen before configuration; configuration picks among the rest.
    BackendProvider first = a.provider("first", Set.of(TouchImageRequest.class));
    BackendProvider second = other.provider("second", Set.of(OciImageRequest.class));
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state).discoverBackends(false)
        .backend(first).backend(second).config("backend.oci", "second").build()) {
      Plan plan = b.plan(ImageRequest.oci().images("x").series("22.04")
          .architectures(dev.imagebuilder.api.Architecture.AMD64).build());
      assertThat(plan.backend()).isEqualTo("second");
    }
  }

  @Test
  void configurationIsLookedUpInBuilderThenSystemPropertiesThenEnvironment() {
    AtomicReference<Configuration> seen = new AtomicReference<>();
    BackendProvider probe = new BackendProvider() {
      @Override
      public String name() {
        return "probe";
      }

      @Override
      public boolean supports(Class<? extends ImageRequest> type) {
        return true;
      }

      @Override
      public Backend create(BackendContext context) {
        seen.set(context.configuration());
        return new FakeFarm.FarmBackend(new FakeFarm(), "probe");
      }
    };
    System.setProperty("imagebuilder.probe.from-property", "property");
    System.setProperty("imagebuilder.probe.both", "property");
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state).discoverBackends(false)
        .backend(probe)
        .config("imagebuilder.probe.both", "builder")
        .config("probe.poll-interval", "250ms")
        .environment(Map.of("IMAGEBUILDER_PROBE_FROM_ENV", "env",
            "IMAGEBUILDER_PROBE_FROM_PROPERTY", "env")::get)
        .build()) {
      b.plan(TOUCH);
      Configuration c = seen.get();
      assertThat(c.get("both")).hasValue("builder");
      assertThat(c.get("from-property")).hasValue("property");
      assertThat(c.get("from-env")).hasValue("env");
      assertThat(c.get("absent")).isEmpty();
      assertThat(c.duration("poll-interval", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
      assertThat(c.toString()).doesNotContain("builder", "property", "env\"");
      assertThatThrownBy(() -> c.require("missing")).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("imagebuilder.probe.missing")
          .hasMessageContaining("IMAGEBUILDER_PROBE_MISSING");
    } finally {
      System.clearProperty("imagebuilder.probe.from-property");
      System.clearProperty("imagebuilder.probe.both");
    }
  }

  @Test
  void aBackendThatRejectsAtStartSubmitsNothingAndTheCallerSeesWhy() {
    BackendProvider picky = new RejectingProvider(new InvalidRequestException("images", "'nope' is not in the catalog"));
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state).discoverBackends(false)
        .backend(picky).build()) {
      assertThatThrownBy(() -> b.submit(ImageRequest.oci().images("nope").build()))
          .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'nope' is not in the catalog");
    }
  }

  @Test
  void whenTrackingFailsTheResultCompletesExceptionallyAndTheStatusIsError() {
    BackendProvider broken = new RejectingProvider(null);
    try (ImageBuilder b = ImageBuilder.newBuilder().stateDirectory(state).discoverBackends(false)
        .backend(broken).build()) {
      BuildHandle h = b.submit(ImageRequest.oci().images("x").build());
      assertThatThrownBy(() -> h.await(Duration.ofSeconds(10))).isInstanceOf(ImageBuildException.class)
          .hasMessageContaining("catalog vanished");
      assertThat(h.status()).isEqualTo(BuildStatus.ERROR);
      assertThatThrownBy(h::retry).hasMessageContaining("resume it from its ticket");
    }
  }

  /** Rejects at start with the given error, or (when null) fails tracking from a task. */
  private static final class RejectingProvider implements BackendProvider {
    private final RuntimeException atStart;

    RejectingProvider(RuntimeException atStart) {
      this.atStart = atStart;
    }

    @Override
    public String name() {
      return "rejecting";
    }

    @Override
    public boolean supports(Class<? extends ImageRequest> type) {
      return true;
    }

    @Override
    public Backend create(BackendContext context) {
      return new Backend() {
        @Override
        public Plan plan(ImageRequest request) {
          return new Plan(request, "rejecting", List.of(), List.of());
        }

        @Override
        public BuildJob start(ImageRequest request, BuildContext context) {
          if (atStart != null) {
            throw atStart;
          }
          context.execute(() -> {
            throw new ImageBuildException("catalog vanished");
          });
          return job();
        }

        @Override
        public BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context) {
          return job();
        }

        @Override
        public BuildJob retry(ImageRequest request, Map<String, Object> state, Set<String> keys, BuildContext context) {
          return job();
        }

        private BuildJob job() {
          return new BuildJob() {
            @Override
            public void cancel() {}

            @Override
            public Map<String, Object> state() {
              return Map.of();
            }
          };
        }
      };
    }
  }
}
