package dev.imagebuilder.core.internal.http;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.core.internal.net.Uris;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Which URIs the HTTP layer will talk to. Decided from the URI alone, before any traffic. */
final class TransportSecurity {
  private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private TransportSecurity() {}

  /**
   * Refuses URIs other than http(s), and plain http to a host that is not loopback unless
   * insecure transport is allowed (credentials would cross the network in clear).
   */
  static void check(URI uri, boolean allowInsecure) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidRequestException("uri",
          "'" + Uris.withoutSecrets(uri) + "' is not an http or https URL");
    }
    if (uri.getHost() == null) {
      throw new InvalidRequestException("uri", "'" + Uris.withoutSecrets(uri) + "' has no host");
    }
    if (scheme.equals("http") && !allowInsecure && !isLoopback(uri.getHost())) {
      throw new InvalidRequestException("uri", "refusing plain http to '" + uri.getHost()
          + "' (" + Uris.withoutSecrets(uri) + "): use https, or set "
          + "imagebuilder.http.allow-insecure=true to allow unencrypted traffic to hosts that "
          + "are not loopback");
    }
  }

  /** True for localhost names and loopback address literals; never resolves a name. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    boolean literal = IPV4_LITERAL.matcher(h).matches() || h.startsWith("[") || h.contains(":");
    if (!literal) {
      return false;
    }
    try {
      // A literal is parsed, not looked up.
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
