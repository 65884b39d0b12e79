package dev.imagebuilder.launchpad;

import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.launchpad.internal.client.Credentials;
import dev.imagebuilder.launchpad.internal.client.CredentialsFile;
import dev.imagebuilder.launchpad.internal.client.OAuthSigner;
import dev.imagebuilder.launchpad.internal.client.ServiceRoot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Launchpad's three-step token flow, ending in a launchpadlib credentials file (mode 0600):
 * POST {@code +request-token}, show the user the {@code +authorize-token} URL, then poll
 * {@code +access-token} until the user approved (the file is written) or refused
 * ({@link AuthenticationException}).
 *
 * <pre>{@code
 * Path file = LaunchpadLogin.builder()
 *     .webRoot(URI.create("https://launchpad.net/"))
 *     .consumerKey("image-builder")
 *     .credentialsFile(Path.of(System.getProperty("user.home"), ".config/image-builder/launchpad.credentials"))
 *     .onAuthorizationUrl(url -> System.out.println("Open " + url))
 *     .build()
 *     .login();
 * }</pre>
 */
public final class LaunchpadLogin {
  /** The permission a build tool needs. */
  public static final String DEFAULT_ACCESS_LEVEL = "WRITE_PUBLIC";

  private final URI webRoot;
  private final String consumerKey;
  private final Path credentialsFile;
  private final Consumer<URI> onAuthorizationUrl;
  private final Duration pollInterval;
  private final Duration timeout;
  private final List<String> accessLevels;
  private final HttpClient http;

  private LaunchpadLogin(Builder b) {
    this.webRoot = Objects.requireNonNull(b.webRoot, "webRoot");
    this.consumerKey = b.consumerKey;
    this.credentialsFile = Objects.requireNonNull(b.credentialsFile, "credentialsFile");
    this.onAuthorizationUrl = Objects.requireNonNull(b.onAuthorizationUrl, "onAuthorizationUrl");
    this.pollInterval = b.pollInterval;
    this.timeout = b.timeout;
    this.accessLevels = List.copyOf(b.accessLevels);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    if (consumerKey == null || consumerKey.isBlank()) {
      throw new InvalidRequestException("consumerKey", "must not be empty");
    }
    refuseInsecure(webRoot);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The web root that goes with a service root: {@code production}, {@code staging} or an API
   * URL such as {@code https://api.launchpad.net/devel/} ({@code https://launchpad.net/}).
   */
  public static URI webRootFor(String serviceRoot) {
    return ServiceRoot.parse("service-root", serviceRoot, null).web();
  }

  /**
   * Runs the flow and writes the credentials file; blocks until the user decided or the timeout
   * passed.
   *
   * @return the credentials file written
   * @throws AuthenticationException when Launchpad refused the consumer or the user declined
   * @throws ImageBuildException when the user did not decide in time
   */
  public Path login() {
    Map<String, String> requestToken = post("+request-token", Map.of(
        "oauth_consumer_key", consumerKey,
        "oauth_signature_method", "PLAINTEXT",
        "oauth_signature", "&"));
    String token = requestToken.get("oauth_token");
    String tokenSecret = requestToken.get("oauth_token_secret");
    if (token == null || tokenSecret == null) {
      throw new RemoteServiceException(200, "POST", webRoot.resolve("+request-token"),
          "answer has no oauth_token or oauth_token_secret");
    }
    onAuthorizationUrl.accept(authorizationUrl(token));
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      HttpResponse<String> r = send("+access-token", Map.of(
          "oauth_consumer_key", consumerKey,
          "oauth_token", token,
          "oauth_signature_method", "PLAINTEXT",
          "oauth_signature", "&" + tokenSecret));
      if (r.statusCode() == 200) {
        Map<String, String> access = decodeForm(r.body());
        String accessToken = access.get("oauth_token");
        String accessSecret = access.get("oauth_token_secret");
        if (accessToken == null || accessSecret == null) {
          throw new RemoteServiceException(200, "POST", webRoot.resolve("+access-token"),
              "answer has no oauth_token or oauth_token_secret");
        }
        try {
          CredentialsFile.write(credentialsFile, new Credentials(consumerKey, accessToken, accessSecret));
        } catch (IOException e) {
          throw new ImageBuildException("cannot write credentials file " + credentialsFile + ": " + e, e);
        }
        return credentialsFile;
      }
      if (r.statusCode() == 403) {
        throw new AuthenticationException(403, "POST", webRoot.resolve("+access-token"), r.body());
      }
      if (r.statusCode() != 401) {
        throw failure("+access-token", r);
      }
      // 401 "Request token has not yet been reviewed": the user has not decided yet.
      if (!Instant.now().plus(pollInterval).isBefore(deadline)) {
        throw new ImageBuildException("Launchpad login: the request token was not authorized within "
            + timeout + "; run the login again");
      }
      try {
        Thread.sleep(pollInterval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageBuildException("Launchpad login interrupted", e);
      }
    }
  }

  /** Where the user approves the token. */
  URI authorizationUrl(String token) {
    StringBuilder q = new StringBuilder("oauth_token=").append(enc(token));
    for (String level : accessLevels) {
      q.append("&allow_permission=").append(enc(level));
    }
    return URI.create(webRoot.resolve("+authorize-token") + "?" + q);
  }

  private Map<String, String> post(String page, Map<String, String> form) {
    HttpResponse<String> r = send(page, form);
    if (r.statusCode() != 200) {
      if (r.statusCode() == 401 || r.statusCode() == 403) {
        throw new AuthenticationException(r.statusCode(), "POST", webRoot.resolve(page), r.body());
      }
      throw failure(page, r);
    }
    return decodeForm(r.body());
  }

  private RemoteServiceException failure(String page, HttpResponse<String> r) {
    return new RemoteServiceException(r.statusCode(), "POST", webRoot.resolve(page), r.body());
  }

  private HttpResponse<String> send(String page, Map<String, String> form) {
    URI uri = webRoot.resolve(page);
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofMinutes(1))
        .header("Content-Type", "application/x-www-form-urlencoded")
        // These pages skip Launchpad's CSRF check, but launchpadlib sends a Referer anyway.
        .header("Referer", webRoot.toString())
        .header("User-Agent", "imagebuilder (" + consumerKey + ")")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RemoteServiceException(0, "POST", uri, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageBuildException("Launchpad login interrupted", e);
    }
  }

  static Map<String, String> decodeForm(String body) {
    Map<String, String> out = new HashMap<>();
    if (body == null) {
      return out;
    }
    for (String part : body.strip().split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static String enc(String s) {
    return OAuthSigner.encode(s);
  }

  /**
   * Plain http only to loopback, decided from the URL alone as the core's HTTP layer does: a name
   * is never looked up (a lookup is traffic, and DNS would decide where the token secret goes).
   */
  static void refuseInsecure(URI uri) {
    if (!"http".equalsIgnoreCase(uri.getScheme()) || isLoopback(uri.getHost())) {
      return;
    }
    throw new InvalidRequestException("webRoot", "'" + uri
        + "' is plain http to a host that is not loopback; use https");
  }

  /** {@code localhost}, {@code *.localhost} and loopback address literals. */
  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(java.util.Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (!h.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !h.startsWith("[") && !h.contains(":")) {
      return false; // a name: not resolved
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress(); // a literal is parsed, not looked up
    } catch (IOException e) {
      return false;
    }
  }

  /** Configures a {@link LaunchpadLogin}. */
  public static final class Builder {
    private URI webRoot = URI.create("https://launchpad.net/");
    private String consumerKey = "image-builder";
    private Path credentialsFile;
    private Consumer<URI> onAuthorizationUrl;
    private Duration pollInterval = Duration.ofSeconds(1);
    private Duration timeout = Duration.ofMinutes(15);
    private List<String> accessLevels = List.of(DEFAULT_ACCESS_LEVEL);

    private Builder() {}

    /** Launchpad's web (not API) root, such as {@code https://launchpad.net/}. */
    public Builder webRoot(URI webRoot) {
      String s = webRoot.toString();
      this.webRoot = s.endsWith("/") ? webRoot : URI.create(s + "/");
      return this;
    }

    /** The application name Launchpad shows the user; unknown names are registered on the fly. */
    public Builder consumerKey(String consumerKey) {
      this.consumerKey = consumerKey;
      return this;
    }

    /** Where the launchpadlib credentials file is written (mode 0600). */
    public Builder credentialsFile(Path credentialsFile) {
      this.credentialsFile = credentialsFile;
      return this;
    }

    /** Shows the user the URL to open in a browser; called once, before polling starts. */
    public Builder onAuthorizationUrl(Consumer<URI> onAuthorizationUrl) {
      this.onAuthorizationUrl = onAuthorizationUrl;
      return this;
    }

    public Builder pollInterval(Duration pollInterval) {
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new InvalidRequestException("pollInterval", "'" + pollInterval + "' must be positive");
      }
      this.pollInterval = pollInterval;
      return this;
    }

    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new InvalidRequestException("timeout", "'" + timeout + "' must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** The permissions offered to the user ({@code WRITE_PUBLIC} by default). */
    public Builder accessLevels(List<String> accessLevels) {
      this.accessLevels = List.copyOf(accessLevels);
      return this;
    }

    public LaunchpadLogin build() {
      return new LaunchpadLogin(this);
    }
  }
}
