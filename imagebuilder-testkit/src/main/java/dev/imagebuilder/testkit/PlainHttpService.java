package dev.imagebuilder.testkit;

import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The SPI's {@link HttpService} on a bare JDK client (HTTP/1.1, no retries, no redirects followed):
 * for tests of a backend or library that are about what it does with each answer, not about
 * transport. A failure to connect is a {@link RemoteServiceException} with status 0, as the core's.
 */
public final class PlainHttpService implements HttpService {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return client.sendAsync(request, handler);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return client.send(request, handler);
    } catch (IOException e) {
      throw new RemoteServiceException(0, request.method(), request.uri(), e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteServiceException(0, request.method(), request.uri(), "interrupted", e);
    }
  }
}
