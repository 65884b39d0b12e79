package dev.imagebuilder.core.internal;

import dev.imagebuilder.api.BuildResult;
import java.util.concurrent.CompletableFuture;

/**
 * A build's result future whose {@code cancel} cancels the build (the Failsafe pattern): a caller
 * holding only the future can still stop the remote work.
 */
final class ResultFuture extends CompletableFuture<BuildResult> {
  private final DefaultBuildHandle handle;

  ResultFuture(DefaultBuildHandle handle) {
    this.handle = handle;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (isDone()) {
      return false;
    }
    handle.cancel();
    return isCancelled();
  }
}
