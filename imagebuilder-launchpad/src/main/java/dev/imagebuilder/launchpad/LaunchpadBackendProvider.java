package dev.imagebuilder.launchpad;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.OciImageRequest;
import dev.imagebuilder.api.OciPromotionRequest;
import dev.imagebuilder.launchpad.internal.oci.LaunchpadBackend;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import java.util.Optional;

/**
 * The {@code launchpad} backend: OCI images built by Launchpad OCI recipes. Configuration keys
 * (scope {@code launchpad}): {@code service-root}, {@code web-root}, {@code credentials-file},
 * {@code consumer-key}, {@code access-token}, {@code access-secret}, {@code catalog},
 * {@code poll-interval}, {@code upload-retry-backoff}, {@code max-concurrent-requests},
 * {@code max-poll-failures}, and for promotion {@code registry-auth-file},
 * {@code registry-allow-insecure}, {@code registry-wait-interval}, {@code registry-wait-timeout};
 * see {@code docs/launchpad.md}.
 */
public final class LaunchpadBackendProvider implements BackendProvider {
  public LaunchpadBackendProvider() {}

  @Override
  public String name() {
    return LaunchpadBackend.NAME;
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return OciImageRequest.class.isAssignableFrom(requestType)
        || OciPromotionRequest.class.isAssignableFrom(requestType);
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    if (configuration.get("catalog").isEmpty()) {
      return Optional.of("no OCI recipe catalog is configured (Launchpad cannot list OCI recipes): set "
          + configuration.qualified("catalog") + " or " + configuration.environmentName("catalog")
          + " to a catalog JSON file");
    }
    return Optional.empty();
  }

  @Override
  public Backend create(BackendContext context) {
    return new LaunchpadBackend(context);
  }
}
