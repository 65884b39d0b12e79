package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.NoBackendAvailableException;
import dev.imagebuilder.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the provider for a request: providers registered on the builder win, then one named in
 * configuration ({@code backend.<image_type>}; naming a missing one is an error), then discovered
 * providers by priority that support the type and are available.
 */
public final class BackendRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);

  private final List<BackendProvider> registered;
  private final List<BackendProvider> discovered;
  private final LayeredConfiguration configuration;
  private final Function<String, LayeredConfiguration> providerConfiguration;

  public BackendRegistry(
      List<BackendProvider> registered,
      boolean discover,
      LayeredConfiguration configuration,
      Function<String, LayeredConfiguration> providerConfiguration) {
    this.registered = List.copyOf(registered);
    this.discovered = discover ? discover() : List.of();
    this.configuration = configuration;
    this.providerConfiguration = providerConfiguration;
  }

  /** Loads providers once; a broken one is logged and skipped instead of breaking the rest. */
  private static List<BackendProvider> discover() {
    List<BackendProvider> found = new ArrayList<>();
    Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        LOG.warn("skipping a backend provider that cannot be loaded: {}", e.getMessage());
      }
    }
    found.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
    return List.copyOf(found);
  }

  /** Every provider known, registered first. */
  public List<BackendProvider> all() {
    List<BackendProvider> all = new ArrayList<>(registered);
    for (BackendProvider p : discovered) {
      if (all.stream().noneMatch(r -> r.name().equals(p.name()))) {
        all.add(p);
      }
    }
    return all;
  }

  public Optional<BackendProvider> byName(String name) {
    return all().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  public BackendProvider choose(ImageRequest request) {
    Class<? extends ImageRequest> type = request.getClass();
    for (BackendProvider p : registered) {
      if (p.supports(type)) {
        return p;
      }
    }
    String type0 = request.imageType();
    Optional<String> named = configuration.get(type0);
    if (named.isPresent()) {
      BackendProvider p = byName(named.get()).orElseThrow(() -> new NoBackendAvailableException(
          "backend '" + named.get() + "' configured for " + type0 + " requests ("
              + configuration.qualified(type0) + ") is not installed; providers: " + names()));
      if (!p.supports(type)) {
        throw new NoBackendAvailableException("backend '" + p.name() + "' configured for "
            + type0 + " requests does not serve them");
      }
      return p;
    }
    List<String> reasons = new ArrayList<>();
    for (BackendProvider p : discovered) {
      if (!p.supports(type)) {
        reasons.add(p.name() + ": does not serve " + type0 + " requests");
        continue;
      }
      Optional<String> why = unavailable(p);
      if (why.isPresent()) {
        reasons.add(p.name() + ": " + why.get());
        continue;
      }
      return p;
    }
    throw new NoBackendAvailableException("no backend can serve " + type0 + " requests"
        + (reasons.isEmpty() ? " (no backend providers found: add a backend module such as"
            + " imagebuilder-launchpad, imagebuilder-systemimage or imagebuilder-guestfs)"
            : ": " + String.join("; ", reasons)));
  }

  private Optional<String> unavailable(BackendProvider p) {
    try {
      return p.unavailableReason(providerConfiguration.apply(p.name()));
    } catch (RuntimeException e) {
      return Optional.of("availability check failed: " + e.getMessage());
    }
  }

  private String names() {
    List<String> names = all().stream().map(BackendProvider::name).toList();
    return names.isEmpty() ? "none" : String.join(", ", names);
  }
}
