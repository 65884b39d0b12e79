package dev.imagebuilder.launchpad.internal.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint Launchpad delivers webhooks to (the JDK's {@code com.sun.net.httpserver}).
 * Each subscription has its own path below the delivery URL and its own secret; a delivery is
 * acted on only if its {@code X-Hub-Signature} verifies with that secret over the raw body.
 * One that verifies but comes after its subscription closed is answered 204 and not acted on.
 * Anything else is answered 401 and ignored. Answers are immediate (Launchpad waits 30 s at most);
 * a delivery's handler only records what it says. Secrets are never logged.
 */
public final class WebhookReceiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);
  private static final int MAX_BODY = 64 * 1024;
  private static final int ENDED_KEPT = 1024;
  public static final String EVENT_TYPE = "oci-recipe:build:0.1";

  private final HttpServer server;
  private final ExecutorService executor;
  private final URI base;
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  /**
   * The last {@value #ENDED_KEPT} subscriptions closed, by path. A delivery can come after its
   * build ended (a read saw the end first, or Launchpad retried it): one that verifies is
   * answered 2xx, so Launchpad stops retrying it, and is not acted on.
   */
  private final Map<String, Subscription> ended = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Subscription> eldest) {
      return size() > ENDED_KEPT;
    }
  };
  private final AtomicLong nextPath = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();

  /** One recipe's webhook as this process knows it: its path, its secret, who to tell. */
  public final class Subscription implements AutoCloseable {
    private final String path;
    private final String secret;
    private final Consumer<WebhookDelivery> handler;

    private Subscription(String path, String secret, Consumer<WebhookDelivery> handler) {
      this.path = path;
      this.secret = secret;
      this.handler = handler;
    }

    /** The URL to give Launchpad as {@code delivery_url}. */
    public URI deliveryUrl() {
      return base.resolve(path);
    }

    /** The secret to give Launchpad; never log it. */
    public String secret() {
      return secret;
    }

    @Override
    public void close() {
      if (subscriptions.remove(path) != null) {
        synchronized (ended) {
          ended.put(path, this);
        }
      }
    }

    @Override
    public String toString() {
      return "Subscription[" + deliveryUrl() + "]";
    }
  }

  /**
   * Binds {@code listen}; deliveries are expected at {@code publicUrl} (as Launchpad reaches this
   * server, through a proxy say), or at this server's own address when it is {@code null}.
   */
  public WebhookReceiver(InetSocketAddress listen, URI publicUrl) {
    try {
      server = HttpServer.create(listen, 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for Launchpad webhooks on " + listen, e);
    }
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "launchpad-webhooks");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    String b = publicUrl != null ? publicUrl.toString()
        : "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/";
    this.base = URI.create(b.endsWith("/") ? b : b + "/");
  }

  /** Registers a new subscription with a fresh random secret and its own path. */
  public Subscription subscribe(String name, Consumer<WebhookDelivery> handler) {
    String path = "imagebuilder/" + name.replaceAll("[^A-Za-z0-9._-]", "-") + "-" + nextPath.incrementAndGet();
    Subscription s = new Subscription(path, WebhookSignature.newSecret(), handler);
    subscriptions.put(path, s);
    return s;
  }

  /** Deliveries refused so far (bad signature, unknown path, not a build event). */
  public long ignored() {
    return ignored.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String basePath = base.getPath();
      String rel = path.startsWith(basePath) ? path.substring(basePath.length()) : path.replaceFirst("^/", "");
      Subscription s = subscriptions.get(rel);
      byte[] body = read(exchange.getRequestBody());
      String signature = exchange.getRequestHeaders().getFirst("X-Hub-Signature");
      if (s == null && body != null && endedAndVerifies(rel, body, signature)) {
        LOG.debug("a webhook delivery to {} (delivery {}) came after its build ended", path,
            exchange.getRequestHeaders().getFirst("X-Launchpad-Delivery"));
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      if (s == null || body == null || !WebhookSignature.verifies(s.secret, body, signature)) {
        ignored.incrementAndGet();
        LOG.warn("ignored a webhook delivery to {} (delivery {}): {}", path,
            exchange.getRequestHeaders().getFirst("X-Launchpad-Delivery"),
            s == null ? "no build listens there" : body == null ? "body too large" : "the signature does not verify");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      String event = exchange.getRequestHeaders().getFirst("X-Launchpad-Event-Type");
      if (EVENT_TYPE.equals(event)) {
        WebhookDelivery d;
        try {
          d = WebhookDelivery.parse(body);
        } catch (IOException e) {
          exchange.sendResponseHeaders(400, -1);
          return;
        }
        if (d != null) {
          try {
            s.handler.accept(d);
          } catch (RuntimeException e) {
            LOG.warn("a webhook delivery to {} could not be applied: {}", path, e.toString());
          }
        }
      }
      exchange.sendResponseHeaders(204, -1);
    }
  }

  private boolean endedAndVerifies(String path, byte[] body, String signature) {
    Subscription s;
    synchronized (ended) {
      s = ended.get(path);
    }
    return s != null && WebhookSignature.verifies(s.secret, body, signature);
  }

  private static byte[] read(InputStream in) throws IOException {
    byte[] b = in.readNBytes(MAX_BODY + 1);
    return b.length > MAX_BODY ? null : b;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
