package dev.imagebuilder.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The handles of requests submitted together, in request order. */
public record BuildBatch(List<BuildHandle> handles) {
  public BuildBatch {
    handles = List.copyOf(handles);
  }

  /** Completes when every handle's result has. */
  public CompletableFuture<List<BuildResult>> results() {
    List<CompletableFuture<BuildResult>> futures =
        handles.stream().map(BuildHandle::result).toList();
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
  }

  /** Waits for every handle, in order. */
  public List<BuildResult> await() {
    return handles.stream().map(BuildHandle::await).toList();
  }

  /** Cancels every handle. */
  public CompletableFuture<Void> cancel() {
    return CompletableFuture.allOf(
        handles.stream().map(BuildHandle::cancel).toArray(CompletableFuture[]::new));
  }

  /** True when every result is in and every target succeeded. */
  public boolean succeeded() {
    return handles.stream().allMatch(h -> h.status() == BuildStatus.SUCCEEDED);
  }
}
