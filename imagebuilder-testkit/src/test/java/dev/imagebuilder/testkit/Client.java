package dev.imagebuilder.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A plain java.net.http client speaking to the fake as a Launchpad client would (tests only). */
final class Client {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private LaunchpadCredentials credentials;

  Client(LaunchpadCredentials credentials) {
    this.credentials = credentials;
  }

  static Client anonymous() {
    return new Client(null);
  }

  Client as(LaunchpadCredentials credentials) {
    this.credentials = credentials;
    return this;
  }

  HttpResponse<String> get(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET().header("Accept", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.setHeader(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  JsonNode getJson(String url) {
    HttpResponse<String> r = get(url);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + url + " -> " + r.statusCode() + ": " + r.body());
    }
    return parse(r.body());
  }

  /** POST a named operation; values are sent as given (callers JSON-encode lists). */
  HttpResponse<String> post(String url, String wsOp, String... params) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("ws.op", wsOp);
    for (int i = 0; i < params.length; i += 2) {
      form.put(params[i], params[i + 1]);
    }
    String body = form.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    return send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<String> send(HttpRequest.Builder b) {
    b.timeout(Duration.ofSeconds(20)).setHeader("User-Agent", "imagebuilder-testkit-tests");
    if (credentials != null) {
      b.setHeader("Authorization", authorization(credentials.consumerKey(), credentials.accessToken(),
          credentials.accessSecret()));
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** True when a GET got any answer, false when the connection failed. */
  boolean sendQuietly(String url) {
    try {
      http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static String authorization(String consumer, String token, String secret) {
    return "OAuth realm=\"https://api.launchpad.net/\", oauth_consumer_key=\"" + enc(consumer)
        + "\", oauth_token=\"" + enc(token) + "\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\"%26"
        + enc(secret) + "\", oauth_timestamp=\"" + (System.currentTimeMillis() / 1000)
        + "\", oauth_nonce=\"n" + System.nanoTime() + "\", oauth_version=\"1.0\"";
  }

  static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
