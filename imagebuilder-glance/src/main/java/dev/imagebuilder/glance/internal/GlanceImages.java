package dev.imagebuilder.glance.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Glance v2 image calls we make, with the session's token; a 401 renews the token and
 * repeats the call once (the body is re-read from its source).
 */
public final class GlanceImages {
  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  private final HttpService http;
  private final KeystoneSession session;
  private volatile URI base;

  public GlanceImages(HttpService http, KeystoneSession session) {
    this.http = http;
    this.session = session;
  }

  /** {@code <glance>/v2}: the catalog URL without a trailing slash or version path. */
  public URI v2() {
    if (base == null) {
      base = v2(session.endpoint("image"));
    }
    return base;
  }

  static URI v2(URI endpoint) {
    String url = endpoint.toString().replaceAll("/+$", "").replaceFirst("/v2(\\.\\d+)?$", "");
    return URI.create(url + "/v2");
  }

  public URI imageUri(String id) {
    return URI.create(v2() + "/images/" + id);
  }

  /** POST /v2/images: the new record (status {@code queued}). */
  public JsonNode create(String name, String diskFormat, String containerFormat, String visibility,
      Map<String, String> properties) {
    ObjectNode body = KeystoneSession.JSON.createObjectNode();
    body.put("name", name);
    body.put("disk_format", diskFormat);
    body.put("container_format", containerFormat);
    body.put("visibility", visibility);
    properties.forEach(body::put);
    URI uri = URI.create(v2() + "/images");
    HttpResponse<String> response = call("POST", uri, () -> json(uri)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    expect(response, "POST", uri, 201);
    return parse(response, "POST", uri);
  }

  /** PUT .../file (or .../stage): the bytes, with a Content-Length. */
  public void send(String id, String part, Supplier<HttpRequest.BodyPublisher> body, Duration timeout) {
    URI uri = URI.create(imageUri(id) + "/" + part);
    HttpResponse<String> response = call("PUT", uri, () -> HttpRequest.newBuilder(uri)
        .timeout(timeout)
        // Glance checks quotas and the image's state before it reads the body: with
        // 100-continue a 409 or 413 arrives before the bytes are sent, not as a reset mid-way.
        .expectContinue(true)
        .header("Content-Type", "application/octet-stream")
        .PUT(body.get()));
    expect(response, "PUT", uri, 204);
  }

  /** POST .../import with glance-direct: 202, then the import runs in the background. */
  public void importStaged(String id) {
    URI uri = URI.create(imageUri(id) + "/import");
    String body = "{\"method\": {\"name\": \"glance-direct\"}}";
    HttpResponse<String> response = call("POST", uri, () -> json(uri)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    expect(response, "POST", uri, 202);
  }

  /** GET /v2/images/{id}, or empty when it is gone. */
  public Optional<JsonNode> get(String id) {
    URI uri = imageUri(id);
    HttpResponse<String> response = call("GET", uri, () -> json(uri).GET());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    expect(response, "GET", uri, 200);
    return Optional.of(parse(response, "GET", uri));
  }

  /** DELETE /v2/images/{id}; an image already gone counts as deleted. */
  public void delete(String id) {
    URI uri = imageUri(id);
    HttpResponse<String> response = call("DELETE", uri, () -> json(uri).DELETE());
    if (response.statusCode() != 404) {
      expect(response, "DELETE", uri, 204);
    }
  }

  private HttpRequest.Builder json(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Content-Type", "application/json").header("Accept", "application/json");
  }

  private HttpResponse<String> call(String method, URI uri, Supplier<HttpRequest.Builder> request) {
    HttpResponse<String> response = http.send(
        request.get().header("X-Auth-Token", session.token()).build());
    if (response.statusCode() == 401) {
      // Revoked or expired early: one new token, one more try.
      session.invalidate();
      response = http.send(request.get().header("X-Auth-Token", session.token()).build());
    }
    return response;
  }

  private static void expect(HttpResponse<String> response, String method, URI uri, int status) {
    if (response.statusCode() != status) {
      throw new RemoteServiceException(response.statusCode(), method, uri, errorText(response));
    }
  }

  /** Glance's error pages are HTML or JSON; the title or message says what went wrong. */
  static String errorText(HttpResponse<String> response) {
    String body = response.body() == null ? "" : response.body();
    String text = KeystoneSession.errorText(body);
    text = text.replaceAll("(?s)<[^>]+>", " ").replaceAll("\\s+", " ").strip();
    if (response.statusCode() == 413) {
      text = "the image is larger than the cloud accepts (image size limit or quota): " + text;
    }
    return text;
  }

  private static JsonNode parse(HttpResponse<String> response, String method, URI uri) {
    try {
      return KeystoneSession.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new RemoteServiceException(response.statusCode(), method, uri, "the answer is not JSON");
    }
  }
}
