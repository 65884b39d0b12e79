package dev.imagebuilder.testkit.internal.launchpad;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * One request as the handlers see it: the method after {@code X-HTTP-Method-Override}, the form of
 * a POST, the headers they read, and the roots the client addressed. Parameter readers answer bad
 * input with Launchpad's own 400 texts.
 */
record ApiRequest(String method, String path, HttpUrl url, Map<String, String> form, String accept,
    String ifNoneMatch, String authorization, String userAgent, Roots roots) {

  static ApiRequest parse(RecordedRequest request) {
    HttpUrl url = request.getUrl();
    Map<String, String> form = new LinkedHashMap<>();
    String contentType = request.getHeaders().get("Content-Type");
    if (request.getBody() != null && contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
      for (String pair : request.getBody().utf8().split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : pair.substring(eq + 1);
        form.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
      }
    }
    String host = request.getHeaders().get("Host");
    if (host == null || host.isBlank()) {
      host = url.host() + ":" + url.port();
    }
    String method = request.getMethod();
    String override = request.getHeaders().get("X-HTTP-Method-Override");
    if ("POST".equals(method) && override != null) {
      method = override.toUpperCase(Locale.ROOT);
    }
    return new ApiRequest(method, url.encodedPath(), url, form, request.getHeaders().get("Accept"),
        request.getHeaders().get("If-None-Match"), request.getHeaders().get("Authorization"),
        request.getHeaders().get("User-Agent"), Roots.forHost(url.scheme(), host));
  }

  /** The named operation: from the query of a GET, from the form otherwise. */
  String wsOp() {
    return param("ws.op");
  }

  String param(String name) {
    return method.equals("GET") ? url.queryParameter(name) : form.get(name);
  }

  boolean write() {
    return !method.equals("GET") && !method.equals("HEAD");
  }

  /** A collection read: no operation, and GET. */
  void requireGet(String op) {
    if (op != null) {
      throw ApiError.badRequest("No such operation: " + op);
    }
    if (!method.equals("GET")) {
      throw new ApiError(405, "Method not allowed: " + method);
    }
  }

  String requiredRaw(String name) {
    String raw = param(name);
    if (raw == null) {
      throw ApiError.badRequest(name + ": Required input is missing.");
    }
    return raw;
  }

  /** A string parameter, JSON-encoded or bare. */
  String stringParam(String name, boolean required) {
    String raw = param(name);
    if (raw == null) {
      if (required) {
        throw ApiError.badRequest(name + ": Required input is missing.");
      }
      return null;
    }
    Object decoded = Json.decodeParameter(raw);
    return decoded instanceof String s ? s : raw;
  }

  int intParam(String name, int fallback) {
    String raw = url.queryParameter(name);
    if (raw == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("Invalid value for \"" + name + "\" parameter: " + raw);
    }
  }

  /** A numeric path segment; any other is a name that is not there. */
  int id(String segment) {
    try {
      return Integer.parseInt(segment);
    } catch (NumberFormatException e) {
      throw notFound(segment);
    }
  }

  ApiError notFound(String name) {
    return ApiError.notFound("Object: " + roots.api() + ", name: '" + name + "'");
  }

  /** A path below a root, percent-decoded ({@code +} stays itself, as in Launchpad's paths). */
  static String decode(String path) {
    return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
