package dev.imagebuilder.testkit.internal.systemimage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;

/** Serves a {@link FakeTree} as a static file server would, with injectable faults. */
public final class FakeDispatcher extends Dispatcher {
  /** What to do wrong when serving a file. */
  public enum Fault { CHECKSUM_MISMATCH, TRUNCATED, NOT_FOUND, SLOW }

  private final FakeTree tree;
  private final Map<String, Fault> faults = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private volatile long slowBytesPerSecond = 64 * 1024;

  public FakeDispatcher(FakeTree tree) {
    this.tree = tree;
  }

  /** Applies {@code fault} to every file whose name starts with {@code prefix + "-"}. */
  public void fault(String prefix, Fault fault) {
    faults.put(prefix, fault);
  }

  public void clearFaults() {
    faults.clear();
  }

  public void slowBytesPerSecond(long rate) {
    this.slowBytesPerSecond = rate;
  }

  public int count(String path) {
    AtomicInteger c = counts.get(path);
    return c == null ? 0 : c.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    counts.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
    if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
      return new MockResponse.Builder().code(405).body("method not allowed\n").build();
    }
    byte[] body = tree.get(path);
    if (body == null) {
      return notFound();
    }
    Fault fault = faultFor(path);
    if (fault == null) {
      return ok(body).build();
    }
    switch (fault) {
      case NOT_FOUND:
        return notFound();
      case CHECKSUM_MISMATCH: {
        byte[] bad = body.clone();
        bad[bad.length / 2] ^= 0x5a; // same size, different bytes
        return ok(bad).build();
      }
      case TRUNCATED:
        return new MockResponse.Builder().code(200)
            .body(new Buffer().write(body, 0, body.length / 2))
            .setHeader("Content-Length", body.length)
            .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build();
      case SLOW:
        return ok(body).throttleBody(Math.max(1, slowBytesPerSecond / 10), 100, TimeUnit.MILLISECONDS)
            .build();
      default:
        return ok(body).build();
    }
  }

  private Fault faultFor(String path) {
    if (path.endsWith(".asc")) {
      return null; // faults are about payloads; signatures stay intact
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    for (Map.Entry<String, Fault> e : faults.entrySet()) {
      if (name.startsWith(e.getKey() + "-")) {
        return e.getValue();
      }
    }
    return null;
  }

  private static MockResponse.Builder ok(byte[] body) {
    String type = "application/octet-stream";
    if (body.length > 0 && body[0] == (byte) 0x7b) {
      type = "application/json";
    }
    return new MockResponse.Builder().code(200).setHeader("Content-Type", type)
        .body(new Buffer().write(body));
  }

  private static MockResponse notFound() {
    return new MockResponse.Builder().code(404).setHeader("Content-Type", "text/html")
        .body("<html><body><h1>404 Not Found</h1></body></html>\n").build();
  }
}
