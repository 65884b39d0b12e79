package dev.imagebuilder.launchpad.internal.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Launchpad's web service as lazr.restful serves it: entries, collections (followed through
 * {@code next_collection_link}), named read and write operations, factory operations (201 +
 * {@code Location}), and errors mapped to exceptions carrying Launchpad's own text. Everything is
 * asynchronous and goes through one {@link AsyncLimiter}. Idempotent retries are the
 * {@link HttpService}'s job; POSTs are never retried here.
 */
public final class LaunchpadClient {
  /** Launchpad's largest batch ({@code ws.size} above 300 is refused). */
  public static final int MAX_PAGE_SIZE = 300;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final ServiceRoot root;
  private final HttpService http;
  private final OAuthSigner signer;
  private final Credentials credentials;
  private final AsyncLimiter limiter;
  private final AtomicLong requests = new AtomicLong();

  /**
   * @param credentials the access token, or {@code null} for anonymous (read-only) access
   */
  public LaunchpadClient(
      ServiceRoot root, HttpService http, Credentials credentials, Clock clock, int maxConcurrentRequests) {
    this.root = root;
    this.http = http;
    this.signer = credentials == null ? null : new OAuthSigner(root.realm(), credentials, clock);
    this.credentials = credentials;
    this.limiter = new AsyncLimiter(maxConcurrentRequests);
  }

  public ServiceRoot root() {
    return root;
  }

  public boolean anonymous() {
    return signer == null;
  }

  /** Requests sent so far (benchmarks count them). */
  public long requestCount() {
    return requests.get();
  }

  /** GET an entry (or anything JSON). */
  public CompletableFuture<JsonNode> get(URI uri) {
    return send("GET", uri, null).thenApply(r -> json("GET", uri, r));
  }

  /**
   * GET an entry unless it still has {@code etag} ({@code If-None-Match}): empty when Launchpad
   * answers 304 Not Modified. Launchpad serves ETags on entries, not on collections.
   */
  public CompletableFuture<Optional<JsonNode>> getIfChanged(URI uri, String etag) {
    return send("GET", uri, null, etag).thenApply(r -> r.statusCode() == 304
        ? Optional.<JsonNode>empty() : Optional.of(json("GET", uri, r)));
  }

  /** DELETE an entry (a webhook, say). */
  public CompletableFuture<Void> delete(URI uri) {
    return send("DELETE", uri, null, null).thenApply(r -> null);
  }

  /** A named read operation: {@code GET <uri>?ws.op=<op>&...}. */
  public CompletableFuture<JsonNode> namedGet(URI uri, String op, Map<String, ?> params) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("ws.op", op);
    all.putAll(params);
    URI target = withQuery(uri, form(all));
    return send("GET", target, null).thenApply(r -> json("GET", target, r));
  }

  /**
   * Every entry of a collection, page after page ({@code ws.size} of {@value #MAX_PAGE_SIZE}),
   * following {@code next_collection_link} verbatim.
   */
  public CompletableFuture<List<JsonNode>> collection(URI uri) {
    List<JsonNode> entries = new ArrayList<>();
    return page(withParameter(uri, "ws.size", String.valueOf(MAX_PAGE_SIZE)), entries);
  }

  private CompletableFuture<List<JsonNode>> page(URI uri, List<JsonNode> entries) {
    return get(uri).thenCompose(page -> {
      page.path("entries").forEach(entries::add);
      String next = page.path("next_collection_link").asText(null);
      if (next == null || next.isEmpty() || page.path("entries").isEmpty()) {
        return CompletableFuture.completedFuture(entries);
      }
      return page(URI.create(next), entries);
    });
  }

  /** The size of a collection, reading one entry at most ({@code total_size} or its link). */
  public CompletableFuture<Integer> collectionSize(URI uri) {
    return get(withParameter(uri, "ws.size", "1")).thenCompose(page -> {
      if (page.has("total_size") && page.get("total_size").isNumber()) {
        return CompletableFuture.completedFuture(page.get("total_size").asInt());
      }
      String link = page.path("total_size_link").asText(null);
      if (link != null) {
        return get(URI.create(link)).thenApply(JsonNode::asInt);
      }
      return CompletableFuture.completedFuture(page.path("entries").size());
    });
  }

  /** A named write operation answering 200; returns its JSON body ({@code null} as NullNode). */
  public CompletableFuture<JsonNode> post(URI uri, String op, Map<String, ?> params) {
    return send("POST", uri, formBody(op, params)).thenApply(r -> json("POST", uri, r));
  }

  /** A factory operation: 201 and the new object's {@code Location}. */
  public CompletableFuture<URI> postFactory(URI uri, String op, Map<String, ?> params) {
    return send("POST", uri, formBody(op, params)).thenApply(r -> {
      Optional<String> location = r.headers().firstValue("Location");
      if (location.isEmpty()) {
        throw new RemoteServiceException(r.statusCode(), "POST", uri,
            "ws.op=" + op + " answered without a Location header");
      }
      return uri.resolve(location.get());
    });
  }

  private String formBody(String op, Map<String, ?> params) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("ws.op", op);
    all.putAll(params);
    return form(all);
  }

  private CompletableFuture<HttpResponse<String>> send(String method, URI uri, String formBody) {
    return send(method, uri, formBody, null);
  }

  private CompletableFuture<HttpResponse<String>> send(String method, URI uri, String formBody, String ifNoneMatch) {
    if (signer != null && !sameOrigin(uri, root.api())) {
      // Links come from answers and tickets (next_collection_link, Location, build URLs): one
      // pointing elsewhere must not receive the access token and its secret.
      return CompletableFuture.failedFuture(new ImageBuildException("refusing to send the Launchpad"
          + " credentials to " + uri + ": it is outside the service root " + root.api()));
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    if ("DELETE".equals(method)) {
      b.DELETE();
    } else if (formBody == null) {
      b.GET();
    } else {
      b.header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(formBody));
    }
    return limiter.submit(() -> {
      if (signer != null) {
        b.header("Authorization", signer.header());
      }
      requests.incrementAndGet();
      return http.sendAsync(b.build());
    }).handle((r, e) -> {
      if (e != null) {
        throw new CompletionException(transportFailure(method, uri, unwrap(e)));
      }
      if (r.statusCode() >= 400 || r.statusCode() < 200 || r.statusCode() == 300) {
        throw new CompletionException(error(method, uri, r));
      }
      return r;
    });
  }

  /** Whether {@code a} and {@code b} share scheme, host and port: where credentials may go. */
  public static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static RuntimeException transportFailure(String method, URI uri, Throwable e) {
    if (e instanceof ImageBuildException ibe) {
      return ibe;
    }
    return new RemoteServiceException(0, method, uri, e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
  }

  /** Maps an error answer to an exception with Launchpad's text. */
  RuntimeException error(String method, URI uri, HttpResponse<String> r) {
    String text = redact(r.body() == null ? "" : r.body().strip());
    if (r.statusCode() == 401) {
      return new LaunchpadAuthenticationException(401, method, uri, text, anonymous());
    }
    String oops = r.headers().firstValue("X-Lazr-OopsId").orElse(null);
    Duration retryAfter = r.headers().firstValue("Retry-After").flatMap(LaunchpadClient::seconds).orElse(null);
    return new LaunchpadApiException(r.statusCode(), method, uri, text, oops, retryAfter);
  }

  /**
   * Launchpad echoes the access token in some 401 texts ("Expired token (...)."); the token is a
   * credential, so it is cut out before the text reaches an exception, a log or an event.
   */
  String redact(String text) {
    if (credentials == null) {
      return text;
    }
    String out = text;
    for (String secret : new String[] {credentials.accessToken(), credentials.accessSecret()}) {
      if (secret.length() >= 4) {
        out = out.replace(secret, "<redacted>");
      }
    }
    return out;
  }

  private static Optional<Duration> seconds(String value) {
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value.strip())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static JsonNode json(String method, URI uri, HttpResponse<String> r) {
    String body = r.body();
    if (body == null || body.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new RemoteServiceException(r.statusCode(), method, uri,
          "answer is not JSON: " + e.getOriginalMessage());
    }
  }

  /** The cause behind CompletionException wrappers. */
  public static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * True when a failed call certainly never reached Launchpad (the connection was refused), so
   * repeating a POST cannot duplicate work.
   */
  public static boolean certainlyNotSent(Throwable e) {
    for (Throwable t = unwrap(e); t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** A transient failure worth polling again later: no answer, 500 (an OOPS), 502/503/504. */
  public static boolean transientFailure(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof dev.imagebuilder.api.AuthenticationException) {
      return false;
    }
    if (t instanceof RemoteServiceException r) {
      return r.status() == 0 || r.status() == 502 || r.status() == 503 || r.status() == 504
          || r.status() == 500;
    }
    return t instanceof java.io.IOException;
  }

  /**
   * Form encoding as launchpadlib does it: strings as they are (JSON-quoted only where the
   * server's JSON decoding would change them), lists, maps, numbers and booleans as JSON.
   */
  static String form(Map<String, ?> params) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, ?> e : params.entrySet()) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value(e.getKey(), e.getValue()), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  private static String value(String name, Object v) {
    if (v instanceof String s) {
      if (name.equals("ws.op") || !looksLikeJson(s)) {
        return s;
      }
      return toJson(s);
    }
    if (v instanceof URI u) {
      return u.toString();
    }
    return toJson(v);
  }

  private static boolean looksLikeJson(String s) {
    try {
      JsonNode n = JSON.readTree(s);
      return n != null && !n.isMissingNode();
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static String toJson(Object v) {
    try {
      return JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode a parameter as JSON", e);
    }
  }

  static URI withQuery(URI uri, String query) {
    String s = uri.toString();
    return URI.create(s + (s.contains("?") ? "&" : "?") + query);
  }

  /** Sets a query parameter, replacing any value it had. */
  static URI withParameter(URI uri, String name, String value) {
    String raw = uri.getRawQuery();
    String base = uri.toString();
    int q = base.indexOf('?');
    if (q >= 0) {
      base = base.substring(0, q);
    }
    List<String> kept = new ArrayList<>();
    if (raw != null) {
      for (String part : raw.split("&")) {
        if (!part.isEmpty() && !part.startsWith(name + "=")) {
          kept.add(part);
        }
      }
    }
    kept.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    return URI.create(base + "?" + String.join("&", kept));
  }
}
