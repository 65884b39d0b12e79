package dev.imagebuilder.testkit.internal.backend;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.testkit.FakeBackend;
import java.util.Optional;

/**
 * The provider {@link java.util.ServiceLoader} finds in the test kit: it serves
 * {@link FakeBackend#discovered()}. The test kit is on the class path of every project that tests
 * with it (and of the {@code image-builder} command, for its fakes), so this provider must never
 * take a request by surprise: it is unavailable unless {@code imagebuilder.fake.enabled=true}, and
 * has the lowest priority; naming it ({@code imagebuilder.backend.<image_type>=fake}) chooses it.
 */
public final class DiscoveredFakeBackendProvider implements BackendProvider {
  /** Loaded by ServiceLoader; does no I/O. */
  public DiscoveredFakeBackendProvider() {}

  @Override
  public String name() {
    return FakeBackend.DEFAULT_NAME;
  }

  @Override
  public int priority() {
    return Integer.MIN_VALUE;
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return true;
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    return configuration.flag("enabled", false)
        ? Optional.empty()
        : Optional.of("the test kit's fake backend, not enabled (set "
            + configuration.qualified("enabled") + "=true, or name it for an image type)");
  }

  @Override
  public Backend create(BackendContext context) {
    return FakeBackend.discovered().provider().create(context);
  }
}
