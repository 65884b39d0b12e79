package dev.imagebuilder.guestfs;

import dev.imagebuilder.api.CloudImageRequest;
import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.guestfs.internal.Executables;
import dev.imagebuilder.guestfs.internal.GuestfsBackend;
import dev.imagebuilder.guestfs.internal.GuestfsSettings;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import java.util.Optional;

/**
 * The {@code guestfs} backend: builds {@link CloudImageRequest}s on this machine by customizing
 * a copy of the base image with libguestfs's {@code virt-customize}. Configuration keys (scope
 * {@code guestfs}) are described in {@code docs/guestfs.md}.
 */
public final class GuestfsBackendProvider implements BackendProvider {
  public static final String NAME = "guestfs";

  public GuestfsBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return CloudImageRequest.class.isAssignableFrom(requestType);
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    String program = configuration.get(GuestfsSettings.VIRT_CUSTOMIZE, "virt-customize").strip();
    if (Executables.find(program).isPresent()) {
      return Optional.empty();
    }
    if (program.contains("/")) {
      return Optional.of("virt-customize is not an executable file at '" + program + "' ("
          + configuration.qualified(GuestfsSettings.VIRT_CUSTOMIZE) + ")");
    }
    return Optional.of("virt-customize was not found on PATH: install the Debian package"
        + " libguestfs-tools (apt-get install libguestfs-tools), or set "
        + configuration.qualified(GuestfsSettings.VIRT_CUSTOMIZE) + " to its path");
  }

  @Override
  public Backend create(BackendContext context) {
    return new GuestfsBackend(context);
  }
}
