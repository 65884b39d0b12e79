package dev.imagebuilder.core.internal.http;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Wraps a caller's body subscriber so that the HTTP layer can stop a body in flight (deadline,
 * cancel, shutdown): the subscription is cancelled, which closes the connection, and the caller's
 * subscriber is told {@code onError}, so it can clean up (a download removes its partial file).
 * Signals are serialized with the abort, so the caller's subscriber never sees two at once.
 */
final class AbortableBodySubscriber<T> implements BodySubscriber<T> {
  private static final Flow.Subscription NO_MORE = new Flow.Subscription() {
    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  };

  private final BodySubscriber<T> delegate;
  private final Runnable onData;
  private Flow.Subscription subscription;
  private Throwable abortedWith;
  private boolean finished;

  /** @param onData told whenever a part of the body arrives (it keeps an idle timer alive) */
  AbortableBodySubscriber(BodySubscriber<T> delegate, Runnable onData) {
    this.delegate = delegate;
    this.onData = onData;
  }

  @Override
  public CompletionStage<T> getBody() {
    return delegate.getBody();
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (abortedWith != null) {
      s.cancel();
      delegate.onSubscribe(NO_MORE);
      finish(abortedWith);
      return;
    }
    delegate.onSubscribe(s);
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> item) {
    if (!finished && abortedWith == null) {
      onData.run();
      delegate.onNext(item);
    }
  }

  @Override
  public synchronized void onError(Throwable throwable) {
    finish(throwable);
  }

  @Override
  public synchronized void onComplete() {
    if (!finished && abortedWith == null) {
      finished = true;
      delegate.onComplete();
    }
  }

  /** Stops the body; harmless once it has completed. */
  synchronized void abort(Throwable cause) {
    if (finished || abortedWith != null) {
      return;
    }
    abortedWith = cause;
    if (subscription != null) {
      subscription.cancel();
      finish(cause);
    }
  }

  private void finish(Throwable cause) {
    if (!finished) {
      finished = true;
      delegate.onError(cause);
    }
  }
}
