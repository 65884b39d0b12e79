package dev.imagebuilder.testkit.internal.launchpad;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The fake's webhooks on OCI recipes ({@code newWebhook}, the {@code webhooks} collection,
 * DELETE) and their deliveries, as Launchpad makes them (launchpad-webhooks.md): an
 * {@code oci-recipe:build:0.1} event when a build is created and whenever its status or registry
 * upload status changes, POSTed as Python's {@code json.dumps} would write it, signed with
 * {@code X-Hub-Signature: sha1=<HMAC-SHA1>} when the webhook has a secret. A failed attempt
 * (no 2xx, connection error, or one the test drops) is retried on Launchpad's schedule (every
 * unit while under 10 units since the first attempt, every 5 units while under 60, then every 60;
 * given up after 24 x 60 units, or 60 units for a 4xx), the unit being one minute unless a test
 * shortens it. Deliveries go out in the background; a ticker settles the farm so that a
 * real-time farm moves (and delivers) even when no client polls.
 */
public final class WebhookHub implements AutoCloseable {
  public static final String EVENT_TYPE = "oci-recipe:build:0.1";

  /** One webhook; its secret never leaves this class. */
  record Hook(int id, String recipePath, String deliveryUrl, List<String> eventTypes, boolean active,
      String secret, Instant created) {
    String path() {
      return recipePath + "/+webhook/" + id;
    }
  }

  /** One delivery attempt as the test sees it. */
  public record Attempt(int deliveryId, String deliveryUrl, String action, String buildPath, String status,
      String uploadStatus, int attempt, String outcome) {}

  private final World world;
  private final Map<Integer, Hook> hooks = new LinkedHashMap<>();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-launchpad-webhooks");
    t.setDaemon(true);
    return t;
  });
  /**
   * Made at the first delivery: most fakes never deliver, and a JDK client initializes TLS and
   * keeps a thread in native code that holds up the JVM's exit (the demo's start-up, issue #16).
   */
  private volatile HttpClient http;
  private final AtomicInteger nextDelivery = new AtomicInteger(1);
  private volatile Duration unit = Duration.ofMinutes(1);
  private int dropNext;
  private int dropEvery;
  private int deliveries;
  private int nextId = 1;
  private volatile boolean closed;

  public WebhookHub(World world, Duration tick) {
    this.world = world;
    world.onBuildChanged(this::buildChanged);
    executor.scheduleWithFixedDelay(() -> {
      if (hasHooks()) {
        world.settle();
      }
    }, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  private HttpClient http() {
    HttpClient c = http;
    if (c == null) {
      synchronized (this) {
        if (http == null) {
          http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        c = http;
      }
    }
    return c;
  }

  // ---- the web service side

  synchronized int create(String recipePath, String deliveryUrl, List<String> eventTypes, boolean active, String secret) {
    URI url;
    try {
      url = URI.create(deliveryUrl);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("delivery_url: Not a valid URI: " + deliveryUrl);
    }
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw ApiError.badRequest("delivery_url: The URI scheme \"" + url.getScheme() + "\" is not allowed.");
    }
    for (String type : eventTypes) {
      if (!type.equals(EVENT_TYPE) && !type.contains(":")) {
        throw ApiError.badRequest("event_types: Invalid value " + type);
      }
    }
    if (secret != null && secret.length() >= 200) {
      throw ApiError.badRequest("secret: Value is too long (max 200 characters)");
    }
    int id = nextId++;
    hooks.put(id, new Hook(id, recipePath, deliveryUrl, List.copyOf(eventTypes), active, secret, world.clock().now()));
    return id;
  }

  synchronized List<Hook> of(String recipePath) {
    return hooks.values().stream().filter(h -> h.recipePath().equals(recipePath)).toList();
  }

  synchronized Hook find(String recipePath, int id) {
    Hook h = hooks.get(id);
    return h != null && h.recipePath().equals(recipePath) ? h : null;
  }

  synchronized void delete(int id) {
    hooks.remove(id);
  }

  private synchronized boolean hasHooks() {
    return !hooks.isEmpty();
  }

  /** The webhook's representation (no secret: Launchpad never shows it). */
  Map<String, Object> representation(Roots roots, Hook h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("self_link", roots.api(h.path()));
    m.put("web_link", roots.web(h.path()));
    m.put("resource_type_link", roots.type("webhook"));
    m.put("active", h.active());
    m.put("date_created", LaunchpadTime.datetime(h.created()));
    m.put("date_last_modified", LaunchpadTime.datetime(h.created()));
    m.put("deliveries_collection_link", roots.api(h.path() + "/deliveries"));
    m.put("delivery_url", h.deliveryUrl());
    m.put("event_types", h.eventTypes());
    m.put("git_ref_pattern", null);
    m.put("registrant_link", roots.api("~" + world.user()));
    m.put("target_link", roots.api(h.recipePath()));
    m.put("http_etag", "\"" + h.id() + "-" + h.active() + "\"");
    return m;
  }

  // ---- test controls

  /** Every delivery's first {@code n} attempts from now are dropped (then retried). */
  public synchronized void dropNext(int n) {
    dropNext = n;
  }

  /** Drops the first attempt of every {@code n}-th delivery (0: none). */
  public synchronized void dropEvery(int n) {
    dropEvery = n;
  }

  /** Launchpad's retry unit (one minute); shorter for tests on a fast farm. */
  public void retryUnit(Duration unit) {
    this.unit = unit;
  }

  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  public synchronized int activeHooks() {
    return (int) hooks.values().stream().filter(Hook::active).count();
  }

  // ---- events and deliveries

  /** Called by the world, under its lock, when a build is created or its statuses change. */
  private void buildChanged(Build b, String action) {
    List<Hook> targets;
    synchronized (this) {
      targets = hooks.values().stream().filter(h -> h.recipePath().equals(b.recipe.path()) && h.active()
          && h.eventTypes().contains(EVENT_TYPE)).toList();
    }
    if (targets.isEmpty() || closed) {
      return;
    }
    String body = pythonJson(List.of(
        Map.entry("recipe_build", "/" + b.path()),
        Map.entry("action", action),
        Map.entry("recipe", "/" + b.recipe.path()),
        Map.entry("build_request", b.request == null ? null : "/" + b.request.path()),
        Map.entry("status", b.buildstate),
        Map.entry("registry_upload_status", b.registryUploadStatus)));
    for (Hook h : targets) {
      int id = nextDelivery.getAndIncrement();
      Delivery d = new Delivery(id, h, body, action, b.path(), b.buildstate, b.registryUploadStatus, Instant.now());
      executor.execute(() -> attempt(d, 1));
    }
  }

  private record Delivery(int id, Hook hook, String body, String action, String buildPath, String status,
      String uploadStatus, Instant firstAttempt) {}

  private void attempt(Delivery d, int n) {
    if (closed || find(d.hook().recipePath(), d.hook().id()) == null) {
      return; // the webhook is gone: Launchpad does not deliver to a deleted webhook
    }
    String outcome;
    boolean clientError = false;
    if (drop(n)) {
      outcome = "dropped";
    } else {
      try {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(d.hook().deliveryUrl()))
            .timeout(Duration.ofSeconds(30))
            .header("User-Agent", "launchpad.net-Webhooks/r0fake")
            .header("Content-Type", "application/json")
            .header("X-Launchpad-Event-Type", EVENT_TYPE)
            .header("X-Launchpad-Delivery", String.valueOf(d.id()))
            .POST(HttpRequest.BodyPublishers.ofString(d.body(), StandardCharsets.UTF_8));
        if (d.hook().secret() != null) {
          r.header("X-Hub-Signature", "sha1=" + hmacSha1(d.hook().secret(), d.body()));
        }
        int status = http().send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        outcome = status / 100 == 2 ? "delivered" : "Bad HTTP response: " + status;
        clientError = status / 100 == 4 || status / 100 == 3;
      } catch (java.io.IOException e) {
        outcome = "Connection error: " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    attempts.add(new Attempt(d.id(), d.hook().deliveryUrl(), d.action(), d.buildPath(), d.status(), d.uploadStatus(), n, outcome));
    if (outcome.equals("delivered")) {
      return;
    }
    Duration since = Duration.between(d.firstAttempt(), Instant.now());
    Duration giveUp = unit.multipliedBy(clientError ? 60 : 24 * 60);
    if (since.compareTo(giveUp) >= 0 || closed) {
      return;
    }
    Duration delay = since.compareTo(unit.multipliedBy(10)) < 0 ? unit
        : since.compareTo(unit.multipliedBy(60)) < 0 ? unit.multipliedBy(5) : unit.multipliedBy(60);
    executor.schedule(() -> attempt(d, n + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized boolean drop(int attempt) {
    if (dropNext > 0) {
      dropNext--;
      return true;
    }
    if (attempt == 1) {
      deliveries++;
      return dropEvery > 0 && deliveries % dropEvery == 0;
    }
    return false;
  }

  static String hmacSha1(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Python's {@code json.dumps} of a flat dict of strings: ", " and ": ", ASCII-escaped. */
  static String pythonJson(List<Map.Entry<String, String>> fields) {
    StringBuilder sb = new StringBuilder("{");
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, String> f : fields) {
      parts.add(quote(f.getKey()) + ": " + (f.getValue() == null ? "null" : quote(f.getValue())));
    }
    return sb.append(String.join(", ", parts)).append('}').toString();
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }
}
