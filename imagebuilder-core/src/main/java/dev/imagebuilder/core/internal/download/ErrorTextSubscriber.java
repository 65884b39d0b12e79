package dev.imagebuilder.core.internal.download;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Keeps the start of an error body (the server's explanation) and drops the rest. */
final class ErrorTextSubscriber implements BodySubscriber<String> {
  static final int LIMIT = 8192;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final CompletableFuture<String> body = new CompletableFuture<>();

  @Override
  public CompletionStage<String> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int room = LIMIT - kept.size();
      int n = Math.min(room, b.remaining());
      if (n > 0) {
        byte[] bytes = new byte[n];
        b.get(bytes);
        kept.write(bytes, 0, n);
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    body.complete(text());
  }

  @Override
  public void onComplete() {
    body.complete(text());
  }

  private String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }
}
