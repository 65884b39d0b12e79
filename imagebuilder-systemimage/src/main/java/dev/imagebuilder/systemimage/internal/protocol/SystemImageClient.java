package dev.imagebuilder.systemimage.internal.protocol;

import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Reads a remote system-image server's documents through the core's HTTP service. */
public final class SystemImageClient {
  private static final int MAX_DOCUMENT = 64 * 1024 * 1024;

  private final HttpService http;
  private final URI base;
  private final Duration timeout;
  private final int maxDocument;

  public SystemImageClient(HttpService http, URI base, Duration timeout) {
    this(http, base, timeout, MAX_DOCUMENT);
  }

  SystemImageClient(HttpService http, URI base, Duration timeout, int maxDocument) {
    this.http = http;
    this.maxDocument = maxDocument;
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.timeout = timeout;
  }

  public URI base() {
    return base;
  }

  /** The URL of a path in the tree; the path was validated, so this cannot leave the server. */
  public URI uri(RemotePath path) {
    return URI.create(base + path.value());
  }

  public Map<String, ChannelEntry> channels() {
    return ProtocolJson.channels(get(RemotePath.of("channels", "/channels.json")),
        uri(new RemotePath("/channels.json")).toString());
  }

  public DeviceIndex index(RemotePath path) {
    return ProtocolJson.index(get(path), uri(path).toString());
  }

  /** The bytes of a small document; fails on anything but 200. */
  public byte[] get(RemotePath path) {
    return getIfPresent(path).orElseThrow(() ->
        new RemoteServiceException(404, "GET", uri(path), "not found"));
  }

  /** The bytes of a small document, or empty on 404. */
  public Optional<byte[]> getIfPresent(RemotePath path) {
    URI uri = uri(path);
    HttpResponse<byte[]> r = http.send(
        HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
        LimitedBody.handler(uri, maxDocument));
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    if (r.statusCode() != 200) {
      // The body is the server's text: shown escaped, so it cannot drive a terminal.
      throw new RemoteServiceException(r.statusCode(), "GET", uri, Printable.escape(
          new String(r.body(), 0, Math.min(r.body().length, 500), StandardCharsets.UTF_8)));
    }
    return Optional.of(r.body());
  }
}
