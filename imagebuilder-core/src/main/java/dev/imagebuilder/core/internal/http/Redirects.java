package dev.imagebuilder.core.internal.http;

import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.core.internal.net.Uris;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** The request that follows a redirect. */
final class Redirects {
  /** Headers that prove who the caller is; they go to the origin they were meant for only. */
  private static final Set<String> CREDENTIALS = Set.of("authorization", "proxy-authorization",
      "cookie");

  private Redirects() {}

  /**
   * 307 and 308 repeat the method and body; 301, 302 and 303 continue with GET (HEAD stays
   * HEAD), as browsers and the JDK client do. The new URI must pass the transport rules.
   */
  static HttpRequest next(HttpRequest request, int status, String location, boolean allowInsecure) {
    URI from = request.uri();
    URI to;
    try {
      to = from.resolve(location.strip());
    } catch (IllegalArgumentException e) {
      throw new RemoteServiceException(status, request.method(), Uris.withoutSecrets(from),
          "redirect to an unreadable Location", e);
    }
    TransportSecurity.check(to, allowInsecure);
    boolean sameOrigin = sameOrigin(from, to);
    String method = request.method().toUpperCase(Locale.ROOT);
    boolean toGet = status != 307 && status != 308 && !method.equals("HEAD")
        && !method.equals("GET");
    HttpRequest.Builder b = HttpRequest.newBuilder(request, (name, value) -> {
      String n = name.toLowerCase(Locale.ROOT);
      return (sameOrigin || !CREDENTIALS.contains(n)) && !(toGet && n.equals("content-type"));
    }).uri(to);
    if (toGet) {
      b.GET();
    }
    return b.build();
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() != -1) {
      return u.getPort();
    }
    return Objects.equals(u.getScheme().toLowerCase(Locale.ROOT), "https") ? 443 : 80;
  }
}
