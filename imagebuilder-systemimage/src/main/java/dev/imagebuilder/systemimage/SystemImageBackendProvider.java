package dev.imagebuilder.systemimage;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.TouchImageRequest;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.systemimage.internal.SystemImageBackend;
import dev.imagebuilder.systemimage.internal.publish.ChannelPublisher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The touch backend, provider name {@code systemimage}: serves {@link TouchImageRequest} by
 * building a new system-image channel (the remote channel's rootfs plus PPAs and packages, the
 * remote device files mirrored unchanged), signed and published into
 * {@code imagebuilder.systemimage.publish-directory}. Configuration keys and the published layout
 * are described in {@code docs/systemimage.md}.
 *
 * <p>Found by {@link java.util.ServiceLoader}; register an instance on the builder to add
 * customizers of your own ({@link #withCustomizer}).
 */
public final class SystemImageBackendProvider implements BackendProvider {
  private final Map<String, RootfsCustomizer> customizers;

  public SystemImageBackendProvider() {
    this(Map.of());
  }

  private SystemImageBackendProvider(Map<String, RootfsCustomizer> customizers) {
    this.customizers = Map.copyOf(customizers);
  }

  /**
   * A provider that also knows {@code customizer}, selected when
   * {@code imagebuilder.systemimage.customizer} equals its {@link RootfsCustomizer#name()}.
   */
  public SystemImageBackendProvider withCustomizer(RootfsCustomizer customizer) {
    Map<String, RootfsCustomizer> all = new LinkedHashMap<>(customizers);
    all.put(customizer.name(), customizer);
    return new SystemImageBackendProvider(all);
  }

  @Override
  public String name() {
    return "systemimage";
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return TouchImageRequest.class.isAssignableFrom(requestType);
  }

  @Override
  public Optional<String> unavailableReason(Configuration configuration) {
    if (configuration.get("publish-directory").isEmpty()) {
      return Optional.of(configuration.qualified("publish-directory") + " is not configured");
    }
    return Optional.empty();
  }

  @Override
  public Backend create(BackendContext context) {
    return new SystemImageBackend(context, customizers, ChannelPublisher.CommitObserver.NONE);
  }
}
