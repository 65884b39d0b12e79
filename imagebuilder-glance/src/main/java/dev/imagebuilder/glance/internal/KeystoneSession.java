package dev.imagebuilder.glance.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A Keystone v3 token for one cloud and the endpoint of a service type taken from its catalog.
 * The token lives only in memory and is sent only as {@code X-Auth-Token}; it is renewed when
 * near its expiry, or on demand after a 401.
 */
public final class KeystoneSession {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  private final HttpService http;
  private final OpenStackCloud cloud;
  private final Clock clock;
  private String token;
  private Instant expiresAt = Instant.MIN;
  private JsonNode catalog;

  public KeystoneSession(HttpService http, OpenStackCloud cloud, Clock clock) {
    this.http = http;
    this.cloud = cloud;
    this.clock = clock;
  }

  public OpenStackCloud cloud() {
    return cloud;
  }

  /** A valid token, authenticating first when there is none or it expires soon. */
  public synchronized String token() {
    if (token == null || clock.instant().isAfter(expiresAt.minus(RENEW_BEFORE))) {
      authenticate();
    }
    return token;
  }

  /** Forgets the token, so that the next call authenticates again (after a 401). */
  public synchronized void invalidate() {
    token = null;
  }

  /**
   * The endpoint URL of {@code type} ({@code image}) for the cloud's interface and region. With
   * no region configured, the catalog must offer that interface in exactly one region.
   */
  public synchronized URI endpoint(String type) {
    token();
    List<JsonNode> matching = new ArrayList<>();
    TreeSet<String> regions = new TreeSet<>();
    TreeSet<String> interfaces = new TreeSet<>();
    boolean serviceFound = false;
    for (JsonNode service : catalog) {
      if (!type.equals(service.path("type").asText())) {
        continue;
      }
      serviceFound = true;
      for (JsonNode endpoint : service.path("endpoints")) {
        String iface = endpoint.path("interface").asText();
        interfaces.add(iface);
        if (!cloud.interfaceName().equals(iface)) {
          continue;
        }
        String region = endpoint.path("region_id").asText(endpoint.path("region").asText(""));
        regions.add(region);
        if (cloud.region().isEmpty() || cloud.region().get().equals(region)
            || cloud.region().get().equals(endpoint.path("region").asText())) {
          matching.add(endpoint);
        }
      }
    }
    String where = "cloud '" + cloud.name() + "'";
    if (!serviceFound) {
      throw new InvalidRequestException("catalog", where + " has no '" + type
          + "' service in its catalog (is Glance registered in Keystone?)");
    }
    if (matching.isEmpty()) {
      throw new InvalidRequestException("catalog", where + " has no " + cloud.interfaceName()
          + " '" + type + "' endpoint" + cloud.region().map(r -> " in region " + r).orElse("")
          + " (interfaces: " + interfaces + ", regions: " + regions + ")");
    }
    if (matching.size() > 1 && cloud.region().isEmpty()) {
      throw new InvalidRequestException("region_name", where + " offers '" + type
          + "' in several regions " + regions + ": set region_name (OS_REGION_NAME)");
    }
    String url = matching.get(0).path("url").asText();
    try {
      return URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("catalog", where + ": the '" + type
          + "' endpoint is not a URL: " + url);
    }
  }

  private void authenticate() {
    URI uri = tokensUri(cloud.authUrl());
    String body;
    try {
      body = JSON.writeValueAsString(requestBody());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = http.send(request);
    int status = response.statusCode();
    if (status == 401) {
      throw new AuthenticationException(status, "POST", uri, "Keystone refused the credentials of cloud '"
          + cloud.name() + "' (" + cloud.credentials() + "): " + errorText(response.body()));
    }
    if (status != 201 && status != 200) {
      throw new RemoteServiceException(status, "POST", uri, errorText(response.body()));
    }
    Optional<String> subjectToken = response.headers().firstValue("X-Subject-Token");
    if (subjectToken.isEmpty()) {
      throw new RemoteServiceException(status, "POST", uri, "Keystone answered without X-Subject-Token");
    }
    JsonNode tokenNode;
    try {
      tokenNode = JSON.readTree(response.body()).path("token");
    } catch (IOException e) {
      throw new RemoteServiceException(status, "POST", uri, "the token body is not JSON");
    }
    if (!tokenNode.path("catalog").isArray()) {
      throw new RemoteServiceException(status, "POST", uri,
          "the token has no catalog (is it scoped to a project?)");
    }
    token = subjectToken.get();
    catalog = tokenNode.path("catalog");
    expiresAt = expiry(tokenNode.path("expires_at").asText(""));
  }

  private Instant expiry(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      // Keystone writes 2026-12-04T17:31:52.000000Z; an unknown form means "renew in an hour".
      return clock.instant().plus(Duration.ofHours(1));
    }
  }

  /** {@code <auth_url>/auth/tokens} when the URL names v3, else {@code <auth_url>/v3/auth/tokens}. */
  static URI tokensUri(URI authUrl) {
    String base = authUrl.toString().replaceAll("/+$", "");
    if (!base.matches(".*/v3(\\.\\d+)?$")) {
      base = base + "/v3";
    }
    return URI.create(base + "/auth/tokens");
  }

  private ObjectNode requestBody() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode auth = root.putObject("auth");
    ObjectNode identity = auth.putObject("identity");
    if (cloud.credentials() instanceof OpenStackCloud.Password p) {
      identity.putArray("methods").add("password");
      ObjectNode user = identity.putObject("password").putObject("user");
      p.userId().ifPresentOrElse(id -> user.put("id", id), () -> {
        user.put("name", p.userName().orElseThrow());
        domain(user, p.userDomainId(), p.userDomainName());
      });
      user.put("password", p.password());
      ObjectNode project = auth.putObject("scope").putObject("project");
      p.projectId().ifPresentOrElse(id -> project.put("id", id), () -> {
        project.put("name", p.projectName().orElseThrow());
        domain(project, p.projectDomainId(), p.projectDomainName());
      });
    } else if (cloud.credentials() instanceof OpenStackCloud.ApplicationCredential a) {
      identity.putArray("methods").add("application_credential");
      ObjectNode credential = identity.putObject("application_credential");
      a.id().ifPresentOrElse(id -> credential.put("id", id), () -> {
        credential.put("name", a.name().orElseThrow());
        ObjectNode user = credential.putObject("user");
        a.userId().ifPresentOrElse(id -> user.put("id", id), () -> {
          user.put("name", a.userName().orElseThrow());
          domain(user, a.userDomainId(), a.userDomainName());
        });
      });
      credential.put("secret", a.secret());
    }
    return root;
  }

  /** A name is looked up in a domain; Keystone's own default is the domain {@code default}. */
  private static void domain(ObjectNode owner, Optional<String> id, Optional<String> name) {
    ObjectNode domain = owner.putObject("domain");
    if (id.isPresent()) {
      domain.put("id", id.get());
    } else if (name.isPresent()) {
      domain.put("name", name.get());
    } else {
      domain.put("id", "default");
    }
  }

  /** Keystone's {@code error.message}, else the body (never a request value: it has none). */
  static String errorText(String body) {
    try {
      JsonNode message = JSON.readTree(body).path("error").path("message");
      if (message.isTextual()) {
        return message.asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: fall through to the raw text
    }
    return body == null ? "" : body.strip();
  }
}
