package dev.imagebuilder.registry;

import dev.imagebuilder.api.InvalidRequestException;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One tag of one repository in one registry, such as {@code registry.example:5000/ubuntu/redis:1.21-22.04_edge}.
 *
 * @param registry the registry's base URI: scheme, host and port, no path ({@code https://registry.example:5000})
 * @param repository the repository name, such as {@code ubuntu/redis}
 * @param tag the tag, such as {@code 1.21-22.04_edge}
 */
public record ImageReference(URI registry, String repository, String tag) {
  /** The distribution spec's repository name grammar. */
  private static final Pattern NAME = Pattern.compile(
      "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  /** The distribution spec's tag grammar. */
  private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    registry = registry(registry.toString());
    repository = repository(repository);
    tag = tag(tag);
  }

  /**
   * Parses {@code [scheme://]host[:port]/repository:tag}. Without a scheme, {@code https} is used,
   * except for loopback hosts, which get {@code http} (test registries).
   */
  public static ImageReference parse(String text) {
    Objects.requireNonNull(text, "reference");
    String s = text.strip();
    String scheme = null;
    int sep = s.indexOf("://");
    if (sep > 0) {
      scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
      s = s.substring(sep + 3);
    }
    int slash = s.indexOf('/');
    int colon = s.lastIndexOf(':');
    if (slash <= 0 || colon < slash) {
      throw new InvalidRequestException("image reference", "'" + text
          + "' is not host[:port]/repository:tag");
    }
    String host = s.substring(0, slash);
    if (scheme == null) {
      scheme = loopback(host) ? "http" : "https";
    }
    return new ImageReference(URI.create(scheme + "://" + host), s.substring(slash + 1, colon), s.substring(colon + 1));
  }

  /** The same repository under another tag. */
  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag);
  }

  /** {@code host[:port]}: the key credentials are filed under. */
  public String host() {
    return registry.getRawAuthority();
  }

  /** Whether {@code other} is in the same registry (scheme, host and port). */
  public boolean sameRegistry(ImageReference other) {
    return registry.equals(other.registry);
  }

  /** Validates a tag, naming the bad value. */
  public static String tag(String tag) {
    if (tag == null || !TAG.matcher(tag).matches()) {
      throw new InvalidRequestException("tag", "'" + tag
          + "' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
    }
    return tag;
  }

  /** Validates a repository name, naming the bad value. */
  public static String repository(String name) {
    if (name == null || name.length() > 255 || !NAME.matcher(name).matches()) {
      throw new InvalidRequestException("repository", "'" + name
          + "' is not a valid repository name (lower-case path components such as ubuntu/redis)");
    }
    return name;
  }

  /** Validates and normalises a registry base URL ({@code https://host[:port]}, or a bare host[:port]). */
  public static URI registry(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException("registry", "is required (such as https://registry.example)");
    }
    String s = text.strip();
    if (!s.contains("://")) {
      String host = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
      s = (loopback(host) ? "http://" : "https://") + host;
    }
    URI u;
    try {
      u = URI.create(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("registry", "'" + text + "' is not a URL");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
      throw new InvalidRequestException("registry", "'" + text + "' is not an http(s) URL with a host");
    }
    if (u.getRawUserInfo() != null) {
      throw new InvalidRequestException("registry", "must not carry credentials in the URL (use an auth file)");
    }
    if (u.getHost().equals("docker.io") || u.getHost().equals("index.docker.io")) {
      // Docker Hub's names; its registry API is served from registry-1.docker.io.
      return URI.create("https://registry-1.docker.io");
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    if (!path.isEmpty() && !path.equals("/")) {
      throw new InvalidRequestException("registry", "'" + text + "' has a path; give scheme://host[:port] only");
    }
    return URI.create(scheme + "://" + u.getRawAuthority());
  }

  static boolean loopback(String hostAndPort) {
    String h = hostAndPort.startsWith("[") ? hostAndPort.substring(0, hostAndPort.indexOf(']') + 1)
        : hostAndPort.contains(":") ? hostAndPort.substring(0, hostAndPort.indexOf(':')) : hostAndPort;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]");
  }

  @Override
  public String toString() {
    return host() + "/" + repository + ":" + tag;
  }
}
