package dev.imagebuilder.launchpad.testing;

import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link HttpService} on the JDK client for unit tests, with the contract's retry policy in
 * small: GETs are retried on connection errors and 502/503/504 (a few times, quickly); POSTs never.
 */
public final class JdkHttpService implements HttpService {
  private final HttpClient client = HttpClient.newHttpClient();
  private final int retries;
  public final AtomicInteger sent = new AtomicInteger();

  public JdkHttpService(int retries) {
    this.retries = retries;
  }

  public JdkHttpService() {
    this(4);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return attempt(request, handler, 0);
  }

  private <T> CompletableFuture<HttpResponse<T>> attempt(HttpRequest request, HttpResponse.BodyHandler<T> handler, int n) {
    sent.incrementAndGet();
    boolean idempotent = request.method().equals("GET");
    return client.sendAsync(request, handler).handle((r, e) -> {
      boolean retry = idempotent && n < retries
          && (e != null || r.statusCode() == 502 || r.statusCode() == 503 || r.statusCode() == 504);
      if (retry) {
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))
            .thenCompose(v -> attempt(request, handler, n + 1));
      }
      if (e != null) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return CompletableFuture.<HttpResponse<T>>failedFuture(
            new RemoteServiceException(0, request.method(), request.uri(), c.toString(), c));
      }
      return CompletableFuture.completedFuture(r);
    }).thenCompose(f -> f);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return sendAsync(request, handler).join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

}
