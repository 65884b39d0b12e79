package dev.imagebuilder.spi;

import dev.imagebuilder.api.ImageRequest;
import dev.imagebuilder.api.Plan;
import java.util.Map;
import java.util.Set;

/**
 * Serves image requests of the types its provider supports. The core owns handles, events,
 * completion, deadlines and tickets; a backend starts remote work and reports what it sees
 * through the {@link BuildContext} it is given.
 *
 * <p>{@link #start}, {@link #resume} and {@link #retry} must return promptly: remote and blocking
 * work belongs in tasks scheduled through the context, so that submitting never blocks the
 * caller and cancellation can stop it.
 */
public interface Backend extends AutoCloseable {
  /**
   * Checks a request against what this backend knows locally (a catalog, its configuration)
   * without side effects, throwing {@link dev.imagebuilder.api.InvalidRequestException} naming
   * the bad value. {@code submitAll} validates every request before starting any.
   */
  default void validate(ImageRequest request) {}

  /** Resolves the targets a request would have, with no side effects (read-only calls allowed). */
  Plan plan(ImageRequest request);

  /** Starts a new build of {@code request}. */
  BuildJob start(ImageRequest request, BuildContext context);

  /**
   * Re-attaches to a build from the state its job recorded ({@link BuildJob#state()}), submitting
   * nothing new.
   */
  BuildJob resume(ImageRequest request, Map<String, Object> state, BuildContext context);

  /**
   * Builds again the targets named in {@code targetKeys}, which failed in the build whose state
   * is {@code state}; in place where the remote system allows it.
   */
  BuildJob retry(
      ImageRequest request, Map<String, Object> state, Set<String> targetKeys, BuildContext context);

  /**
   * True when this backend does the work in this process (a local disk image, a chroot), so that
   * the work stops when the process does; false when a remote system does it and it goes on.
   */
  default boolean runsInProcess() {
    return false;
  }

  /**
   * Releases what the backend holds. A backend that {@linkplain #runsInProcess runs work in this
   * process} stops it here and removes its work files before returning.
   */
  @Override
  default void close() {}
}
