package dev.imagebuilder.launchpad.internal.client;

import dev.imagebuilder.api.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where Launchpad's web service ({@code api}) and its web pages ({@code web}, for the token flow)
 * are. Relative paths such as {@code ~owner/project/+oci/x/+recipe/r} resolve against {@code api}.
 */
public record ServiceRoot(URI api, URI web) {
  public static final URI PRODUCTION = URI.create("https://api.launchpad.net/devel/");
  public static final URI STAGING = URI.create("https://api.staging.launchpad.net/devel/");

  /**
   * Reads {@code production}, {@code staging} or a URL; the web root is derived unless given.
   *
   * @param field the configuration key named in errors
   */
  public static ServiceRoot parse(String field, String serviceRoot, String webRoot) {
    URI api = switch (serviceRoot.strip().toLowerCase(Locale.ROOT)) {
      case "production" -> PRODUCTION;
      case "staging" -> STAGING;
      default -> absolute(field, serviceRoot);
    };
    if (!api.getPath().endsWith("/")) {
      api = URI.create(api + "/");
    }
    URI web = webRoot == null || webRoot.isBlank()
        ? deriveWebRoot(api)
        : absolute(field.replace("service-root", "web-root"), webRoot);
    return new ServiceRoot(api, web);
  }

  /** {@code https://api.launchpad.net/devel/} gives {@code https://launchpad.net/}. */
  public static URI deriveWebRoot(URI api) {
    String host = api.getHost();
    if (host.startsWith("api.")) {
      host = host.substring(4);
    }
    try {
      return new URI(api.getScheme(), null, host, api.getPort(), "/", null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A recipe path relative to the API root, or an absolute URL as it is. */
  public URI resolve(String pathOrUrl) {
    String s = pathOrUrl.strip();
    if (s.startsWith("http://") || s.startsWith("https://")) {
      return URI.create(s);
    }
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    return api.resolve(s);
  }

  /** The OAuth realm Launchpad expects: the API host's origin. */
  public String realm() {
    return api.getScheme() + "://" + api.getRawAuthority() + "/";
  }

  private static URI absolute(String field, String text) {
    try {
      URI uri = new URI(text.strip());
      if (!uri.isAbsolute() || uri.getHost() == null
          || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
        throw new InvalidRequestException(field, "'" + text
            + "' is not 'production', 'staging' or an absolute http(s) URL");
      }
      if (uri.getRawUserInfo() != null) {
        throw new InvalidRequestException(field, "URL must not carry user information");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(field, "'" + text + "' is not a URL: " + e.getReason());
    }
  }
}
