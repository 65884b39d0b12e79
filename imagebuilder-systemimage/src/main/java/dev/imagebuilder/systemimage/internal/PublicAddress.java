package dev.imagebuilder.systemimage.internal;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.systemimage.internal.protocol.Printable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where devices reach the published channel: the host and ports written into every
 * {@code channel.ini} ({@code base}, {@code http_port}, {@code https_port}). Taken from
 * {@code public-host} (with {@code public-http-port}, {@code public-https-port}), or derived from
 * {@code public-url}. There is no default: a guessed value would be burnt into images that
 * devices keep. A loopback host is refused unless {@code allow-loopback-public-host} is true
 * (tests, a local mirror), since a device asking itself for updates never finds any.
 */
public record PublicAddress(String host, int httpPort, int httpsPort) {
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

  /** Empty when neither key is set (plans may still run; a build needs one). */
  static Optional<PublicAddress> from(Configuration c) {
    Optional<String> url = c.get("public-url").map(String::strip).filter(s -> !s.isEmpty());
    Optional<String> host = c.get("public-host").map(String::strip).filter(s -> !s.isEmpty());
    if (url.isPresent() && host.isPresent()) {
      throw new InvalidRequestException(c.qualified("public-host"), "'" + host.get() + "' is set"
          + " together with " + c.qualified("public-url") + "; set one of them");
    }
    boolean allowLoopback = c.flag("allow-loopback-public-host", false);
    if (host.isPresent()) {
      return Optional.of(new PublicAddress(check(c, "public-host", host.get(), allowLoopback),
          port(c, "public-http-port", 80), port(c, "public-https-port", 443)));
    }
    if (url.isEmpty()) {
      return Optional.empty();
    }
    URI u;
    try {
      u = new URI(url.get());
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(c.qualified("public-url"), "'" + url.get()
          + "' is not a URL: " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null
        || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))
        || u.getQuery() != null || u.getUserInfo() != null) {
      throw new InvalidRequestException(c.qualified("public-url"), "'" + url.get() + "' is not an"
          + " http(s) URL of a server root (such as https://system-image.example.org): the"
          + " system-image client serves a channel from the root of its host");
    }
    String h = check(c, "public-url", u.getHost(), allowLoopback);
    if (scheme.equals("https")) {
      return Optional.of(new PublicAddress(h, port(c, "public-http-port", 80),
          u.getPort() == -1 ? 443 : u.getPort()));
    }
    return Optional.of(new PublicAddress(h, u.getPort() == -1 ? 80 : u.getPort(),
        port(c, "public-https-port", 0)));
  }

  private static String check(Configuration c, String key, String host, boolean allowLoopback) {
    String h = host.toLowerCase(Locale.ROOT);
    if (!HOST.matcher(h).matches() || h.length() > 253) {
      throw new InvalidRequestException(c.qualified(key), "'" + Printable.escape(host, 200)
          + "' is not a host name or IPv4 address");
    }
    if (!allowLoopback && isLoopback(h)) {
      throw new InvalidRequestException(c.qualified(key), "'" + host + "' is a loopback address:"
          + " devices would ask themselves for updates; set the host devices reach this tree at,"
          + " or " + c.qualified("allow-loopback-public-host") + "=true for a local test");
    }
    return h;
  }

  static boolean isLoopback(String host) {
    return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
        && host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch))
        || host.equals("0.0.0.0") || host.equals("localhost.localdomain");
  }

  private static int port(Configuration c, String key, int def) {
    int p = c.integer(key, def);
    if (p < 0 || p > 65535) {
      throw new InvalidRequestException(c.qualified(key), "'" + p + "' is not a port (0 disables)");
    }
    return p;
  }

  /** A path's public URL, from the enabled port (https first). */
  public Optional<String> url(String path) {
    if (httpsPort != 0) {
      return Optional.of("https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + path);
    }
    if (httpPort != 0) {
      return Optional.of("http://" + host + (httpPort == 80 ? "" : ":" + httpPort) + path);
    }
    return Optional.empty();
  }
}
