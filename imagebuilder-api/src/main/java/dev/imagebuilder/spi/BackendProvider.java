package dev.imagebuilder.spi;

import dev.imagebuilder.api.ImageRequest;
import java.util.Optional;

/**
 * Makes backends. Found by {@link java.util.ServiceLoader} (declare it with {@code provides} in
 * {@code module-info.java} and in {@code META-INF/services}) or registered on the builder.
 * Implementations need a public no-argument constructor that does no I/O.
 */
public interface BackendProvider {
  /** A short name, used in configuration keys ({@code imagebuilder.<name>.<key>}) and tickets. */
  String name();

  /** Among providers supporting the same type, the highest priority is chosen. */
  default int priority() {
    return 0;
  }

  boolean supports(Class<? extends ImageRequest> requestType);

  /**
   * Why this provider cannot serve requests here (a tool missing, no configuration), or empty.
   * Must be cheap: it is asked before each choice of backend.
   */
  default Optional<String> unavailableReason(Configuration configuration) {
    return Optional.empty();
  }

  /** Creates the backend; called once per {@code ImageBuilder}. */
  Backend create(BackendContext context);
}
