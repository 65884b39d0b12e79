package dev.imagebuilder.core.engine;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import java.util.Optional;

/**
 * Found through {@code META-INF/services} in the test resources, the way users' backends are.
 * Serves touch requests, and is unavailable unless {@code discovered.enabled=true}, so tests see
 * both the choice and the reasons for refusing.
 */
public final class DiscoveredFarmProvider implements BackendProvider {
  static final FakeFarm FARM = new FakeFarm();

  @Override
  public String name() {
    return "discovered";
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> type) {
    return type == TouchImageRequest.class;
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    return configuration.flag("enabled", false)
        ? Optional.empty()
        : Optional.of("not enabled (set " + configuration.qualified("enabled") + "=true)");
  }

  @Override
  public Backend create(BackendContext context) {
    return new FakeFarm.FarmBackend(FARM, name());
  }
}
