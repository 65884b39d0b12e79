package dev.imagebuilder.spi;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP for backends. Requests go through one concurrency limit and carry the library's
 * User-Agent. Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried on connection
 * errors and 502/503/504 with capped exponential backoff honouring {@code Retry-After}; POST and
 * PATCH are never retried, since they may create remote work. Every answer, whatever its status,
 * is returned: callers decide what a 4xx means. A request that never got an answer completes
 * with {@link dev.imagebuilder.api.RemoteServiceException} (status 0).
 *
 * <p>Plain {@code http://} to a host that is not loopback is refused unless allowed in the
 * configuration ({@code imagebuilder.http.allow-insecure=true}).
 */
public interface HttpService {
  <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler);

  default CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
    return sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Sends and waits; transport failures surface as unchecked exceptions, not wrapped. */
  <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler);

  default HttpResponse<String> send(HttpRequest request) {
    return send(request, HttpResponse.BodyHandlers.ofString());
  }
}
