package dev.imagebuilder.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * HTTP to registries on the JDK client: answers the registry's auth challenges (Basic; Bearer
 * tokens per realm, service and scope, cached until they expire, fetched again on
 * {@code insufficient_scope}), retries 429, 502, 503, 504 and connection failures a bounded
 * number of times honouring {@code Retry-After}, and follows redirects of GET and HEAD itself so
 * that {@code Authorization} never goes to another host.
 */
public final class RegistryHttp {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RegistryHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);
  private static final int MAX_REDIRECTS = 5;

  /** Waits between retries; tests replace it to record instead of sleeping. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** Retry limits: attempts per request, and the longest single wait. */
  public record RetryPolicy(int maxAttempts, Duration maxWait, Duration firstBackoff) {}

  private record Token(String value, Instant expires) {}

  private final HttpClient client;
  private final CredentialStore credentials;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final Clock clock;
  private final boolean allowInsecure;
  private final Duration requestTimeout;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();

  public RegistryHttp(HttpClient client, CredentialStore credentials, RetryPolicy retry, Sleeper sleeper,
      Clock clock, boolean allowInsecure, Duration requestTimeout) {
    this.client = client;
    this.credentials = credentials;
    this.retry = retry;
    this.sleeper = sleeper;
    this.clock = clock;
    this.allowInsecure = allowInsecure;
    this.requestTimeout = requestTimeout;
  }

  /** Requests sent so far, including auth probes, token fetches and retries. */
  public long requestCount() {
    return requests.get();
  }

  /** One request to a registry. {@code body} must give a fresh publisher each time (for retries). */
  public record Call(String method, URI uri, Map<String, String> headers, Supplier<HttpRequest.BodyPublisher> body,
      List<String> scopes, String repository) {
    public static Call of(String method, URI uri, List<String> scopes, String repository) {
      return new Call(method, uri, Map.of(), null, scopes, repository);
    }

    public Call header(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Call(method, uri, h, body, scopes, repository);
    }

    public Call body(Supplier<HttpRequest.BodyPublisher> newBody) {
      return new Call(method, uri, headers, newBody, scopes, repository);
    }
  }

  /** Sends, following auth challenges, retries and redirects; the caller closes the body. */
  public HttpResponse<InputStream> send(Call call) {
    refuseInsecure(call.uri());
    return send(call, true);
  }

  /**
   * The one retry loop. {@code registry}: answer the registry's auth challenges and follow
   * redirects of GET and HEAD; without it (token servers) the call's own headers go out as they
   * are, a 401 is the answer and a redirect is not followed, so the Basic credentials sent to a
   * token server never reach another URI.
   */
  private HttpResponse<InputStream> send(Call call, boolean registry) {
    URI uri = call.uri();
    List<String> scopes = call.scopes();
    boolean authorize = registry;
    int authTries = 0;
    int redirects = 0;
    for (int attempt = 1; ; ) {
      String host = host(uri);
      Optional<String> authorization = authorize ? authorization(host, scopes, call.repository()) : Optional.empty();
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout);
      call.headers().forEach(b::header);
      authorization.ifPresent(a -> b.header("Authorization", a));
      b.method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody() : call.body().get());
      HttpResponse<InputStream> resp;
      try {
        requests.incrementAndGet();
        resp = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        if (attempt >= retry.maxAttempts()) {
          throw new RemoteServiceException(0, call.method(), uri, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        pause(backoff(attempt), call, uri, "connection failed: " + e.getMessage());
        attempt++;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RemoteServiceException(0, call.method(), uri, "interrupted", e);
      }
      int status = resp.statusCode();
      if (status == 401 && authorize) {
        Optional<Challenge> challenge = Challenge.first(resp.headers().allValues("WWW-Authenticate"));
        boolean wasSent = authorization.isPresent();
        // First 401: learn the challenge (or the cached token expired). Later: only a request
        // for a wider scope is worth another try; otherwise the credentials are wrong or missing.
        if (challenge.isPresent()
            && (authTries == 0 || (wasSent && challenge.get().insufficientScope() && authTries < 2))) {
          drain(resp);
          Challenge c = challenge.get();
          if (wasSent) {
            tokens.keySet().removeIf(k -> k.startsWith(host + "|"));
          }
          challenges.put(host, c);
          if (c.bearer()) {
            Set<String> s = new LinkedHashSet<>(scopes);
            s.addAll(c.scopes());
            scopes = List.copyOf(s);
          }
          authTries++;
          continue;
        }
      }
      if (registry && isRedirect(status) && (call.method().equals("GET") || call.method().equals("HEAD"))
          && resp.headers().firstValue("Location").isPresent() && redirects < MAX_REDIRECTS) {
        drain(resp);
        URI next = uri.resolve(resp.headers().firstValue("Location").get());
        refuseInsecure(next);
        if (!host(next).equals(host(uri)) || !next.getScheme().equals(uri.getScheme())) {
          // Blob storage (S3, a CDN) gets no registry credentials.
          authorize = false;
        }
        uri = next;
        redirects++;
        continue;
      }
      if ((status == 429 || status == 502 || status == 503 || status == 504) && attempt < retry.maxAttempts()) {
        Duration wait = retryAfter(resp).orElse(backoff(attempt));
        drain(resp);
        pause(wait, call, uri, "HTTP " + status);
        attempt++;
        continue;
      }
      return resp;
    }
  }

  /** Sends and reads the whole body (manifests, errors); fails with the registry's error unless 2xx. */
  public Answer exchange(Call call, int maxBytes) {
    HttpResponse<InputStream> resp = send(call);
    byte[] body = readAll(resp, maxBytes);
    if (resp.statusCode() / 100 != 2) {
      throw error(call.method(), call.uri(), resp.statusCode(), body);
    }
    return new Answer(resp, body);
  }

  /** A finished exchange: the response (body already read) and its bytes. */
  public record Answer(HttpResponse<InputStream> response, byte[] body) {
    public Optional<String> header(String name) {
      return response.headers().firstValue(name);
    }

    public int status() {
      return response.statusCode();
    }
  }

  public static byte[] readAll(HttpResponse<InputStream> resp, int maxBytes) {
    try (InputStream in = resp.body()) {
      byte[] b = in.readNBytes(maxBytes + 1);
      if (b.length > maxBytes) {
        throw new RemoteServiceException(resp.statusCode(), resp.request().method(), resp.uri(),
            "answer larger than " + maxBytes + " bytes");
      }
      return b;
    } catch (IOException e) {
      throw new RemoteServiceException(0, resp.request().method(), resp.uri(), "reading the answer failed: " + e, e);
    }
  }

  /** The registry's error: code and message from {@code {"errors":[...]}}, or the raw text. */
  public static RemoteServiceException error(String method, URI uri, int status, byte[] body) {
    String code = null;
    String text = new String(body, StandardCharsets.UTF_8).strip();
    try {
      JsonNode root = body.length == 0 ? null : JSON.readTree(body);
      JsonNode errors = root == null ? null : root.path("errors");
      if (errors != null && errors.isArray() && errors.size() > 0) {
        List<String> parts = new ArrayList<>();
        for (JsonNode e : errors) {
          String c = e.path("code").asText("UNKNOWN");
          if (code == null) {
            code = c;
          }
          String m = e.path("message").asText("");
          JsonNode d = e.get("detail");
          parts.add(c + ": " + m + (d == null || d.isNull() || d.isMissingNode() ? "" : " (" + d + ")"));
        }
        text = String.join("; ", parts);
      }
    } catch (IOException e) {
      // Not JSON (a proxy's page): keep the text.
    }
    if (text.length() > 1000) {
      text = text.substring(0, 1000) + "...";
    }
    if (status == 401) {
      return new AuthenticationException(status, method, uri, text);
    }
    return new RegistryException(status, method, uri, code, text);
  }

  private Optional<String> authorization(String host, List<String> scopes, String repository) {
    Challenge c = challenges.get(host);
    if (c == null) {
      return Optional.empty();
    }
    Optional<Credential> cred = credentials.lookup(host.toLowerCase(Locale.ROOT), repository);
    if (c.basic()) {
      return cred.map(Credential::basicHeader);
    }
    if (c.bearer()) {
      return Optional.of("Bearer " + token(host, c, scopes, cred));
    }
    return Optional.empty();
  }

  private String token(String host, Challenge c, List<String> scopes, Optional<Credential> cred) {
    String realm = c.param("realm").orElseThrow(() -> new RemoteServiceException(401, "GET", URI.create("http://" + host),
        "Bearer challenge without realm"));
    String service = c.param("service").orElse("");
    Set<String> sorted = new TreeSet<>(scopes);
    String key = host + "|" + realm + "|" + service + "|" + sorted;
    Token t = tokens.get(key);
    Instant now = clock.instant();
    if (t != null && now.isBefore(t.expires())) {
      return t.value();
    }
    StringBuilder q = new StringBuilder();
    if (!service.isEmpty()) {
      q.append("service=").append(enc(service));
    }
    for (String s : sorted) {
      q.append(q.length() == 0 ? "" : "&").append("scope=").append(enc(s));
    }
    URI realmUri = URI.create(realm + (q.length() == 0 ? "" : (realm.contains("?") ? "&" : "?") + q));
    refuseInsecure(realmUri);
    Call call = Call.of("GET", realmUri, List.of(), null).header("Accept", "application/json");
    if (cred.isPresent()) {
      call = call.header("Authorization", cred.get().basicHeader());
    }
    HttpResponse<InputStream> resp = sendPlain(call);
    byte[] body = readAll(resp, 1 << 20);
    if (resp.statusCode() != 200) {
      if (resp.statusCode() == 401 || resp.statusCode() == 403) {
        throw new AuthenticationException(resp.statusCode(), "GET", realmUri,
            "the token server refused the credentials" + cred.map(x -> " from " + x.source()).orElse(" (anonymous)"));
      }
      throw error("GET", realmUri, resp.statusCode(), body);
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      throw new RemoteServiceException(200, "GET", realmUri, "the token server's answer is not JSON");
    }
    String value = json.path("token").asText("");
    if (value.isEmpty()) {
      value = json.path("access_token").asText("");
    }
    if (value.isEmpty()) {
      throw new RemoteServiceException(200, "GET", realmUri, "the token server's answer has no token");
    }
    long expiresIn = json.path("expires_in").asLong(60);
    Instant issued = now;
    if (json.hasNonNull("issued_at")) {
      try {
        issued = Instant.parse(json.get("issued_at").asText());
      } catch (DateTimeParseException e) {
        issued = now;
      }
    }
    Instant expires = issued.plusSeconds(Math.max(expiresIn, 60)).minus(TOKEN_MARGIN);
    tokens.put(key, new Token(value, expires));
    return value;
  }

  /** A request with no auth handling and no redirects (token servers), but with retries. */
  private HttpResponse<InputStream> sendPlain(Call call) {
    return send(call, false);
  }

  private void pause(Duration wait, Call call, URI uri, String why) {
    Duration d = wait.compareTo(retry.maxWait()) > 0 ? retry.maxWait() : wait;
    LOG.info("{} {}{}: {}; trying again in {} ms", call.method(), uri.getRawAuthority(), uri.getRawPath(), why,
        d.toMillis());
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteServiceException(0, call.method(), uri, "interrupted while waiting to retry", e);
    }
  }

  private Duration backoff(int attempt) {
    long factor = 1L << Math.min(attempt - 1, 10);
    Duration d = retry.firstBackoff().multipliedBy(factor);
    return d.compareTo(retry.maxWait()) > 0 ? retry.maxWait() : d;
  }

  /** {@code Retry-After} as seconds or an HTTP date. */
  Optional<Duration> retryAfter(HttpResponse<?> resp) {
    Optional<String> v = resp.headers().firstValue("Retry-After");
    if (v.isEmpty()) {
      return Optional.empty();
    }
    String s = v.get().strip();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(s))));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(clock.instant(), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }

  private void refuseInsecure(URI uri) {
    if ("http".equalsIgnoreCase(uri.getScheme()) && !allowInsecure && !loopback(uri.getHost())) {
      throw new InvalidRequestException("registry", "plain http:// to " + uri.getHost()
          + " is refused (not loopback); use https:// or allow insecure registries explicitly");
    }
  }

  private static boolean loopback(String host) {
    return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
        || host.equals("::1"));
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  static String host(URI uri) {
    return uri.getRawAuthority();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  public static void drain(HttpResponse<InputStream> resp) {
    try (InputStream in = resp.body()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
