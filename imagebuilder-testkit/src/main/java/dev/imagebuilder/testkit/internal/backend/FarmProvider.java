package dev.imagebuilder.testkit.internal.backend;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.spi.Backend;
import dev.imagebuilder.spi.BackendContext;
import dev.imagebuilder.spi.BackendProvider;
import java.util.Set;

/** A {@code FakeBackend}'s provider, for registering on a builder: every backend it makes uses one farm. */
public final class FarmProvider implements BackendProvider {
  private final Farm farm;
  private final String name;
  private final Set<Class<? extends ImageRequest>> types;

  /** {@code types} empty: every request type. */
  public FarmProvider(Farm farm, String name, Set<Class<? extends ImageRequest>> types) {
    this.farm = farm;
    this.name = name;
    this.types = Set.copyOf(types);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean supports(Class<? extends ImageRequest> requestType) {
    return types.isEmpty() || types.contains(requestType);
  }

  @Override
  public Backend create(BackendContext context) {
    return new FarmBackend(farm, name);
  }

  @Override
  public String toString() {
    return "FakeBackend provider " + name;
  }
}
