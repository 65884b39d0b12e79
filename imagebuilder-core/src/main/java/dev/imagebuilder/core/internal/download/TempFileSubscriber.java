package dev.imagebuilder.core.internal.download;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Writes a response body into a {@link TempFile}, one batch of buffers at a time: the next batch
 * is requested only once the previous one is on disk, so memory stays constant whatever the size.
 */
final class TempFileSubscriber implements BodySubscriber<TempFile> {
  private final TempFile file;
  private final CompletableFuture<TempFile> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  TempFileSubscriber(TempFile file) {
    this.file = file;
  }

  @Override
  public CompletionStage<TempFile> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    try {
      for (ByteBuffer b : buffers) {
        file.write(b);
      }
    } catch (RuntimeException e) {
      subscription.cancel();
      file.discard();
      body.completeExceptionally(e);
      return;
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable t) {
    file.discard();
    body.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    body.complete(file);
  }
}
