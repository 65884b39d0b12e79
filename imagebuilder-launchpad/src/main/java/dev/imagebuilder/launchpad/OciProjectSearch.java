package dev.imagebuilder.launchpad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.AuthenticationException;
import dev.imagebuilder.api.ImageBuildException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.launchpad.internal.client.CredentialsFile;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.launchpad.internal.client.OAuthSigner;
import dev.imagebuilder.launchpad.internal.client.ServiceRoot;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the OCI projects of a Launchpad distribution with its {@code searchOCIProjects} named
 * operation ({@code GET /devel/<distribution>?ws.op=searchOCIProjects&text=...}, which answers an
 * {@code oci_project-page}), page after page. Launchpad has no API that lists OCI recipes; the
 * projects are what a catalog's naming template starts from ({@code image-builder catalog init}).
 * Anonymous unless a launchpadlib credentials file is given.
 */
public final class OciProjectSearch {
  /** One OCI project: its name (the image name in a catalog) and where it lives. */
  public record OciProject(String name, String displayName, URI selfLink, URI webLink) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** Pages followed at most: a distribution has hundreds of OCI projects, not tens of thousands. */
  private static final int MAX_PAGES = 100;

  private final ServiceRoot root;
  private final OAuthSigner signer;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
      .followRedirects(HttpClient.Redirect.NORMAL).build();

  /**
   * @param serviceRoot {@code production}, {@code staging} or an API root URL
   * @param credentialsFile a launchpadlib credentials file, or {@code null} for anonymous access
   */
  public OciProjectSearch(String serviceRoot, Path credentialsFile) {
    this.root = ServiceRoot.parse("service-root", serviceRoot, null);
    LaunchpadLogin.refuseInsecure(root.api());
    this.signer = credentialsFile == null ? null
        : new OAuthSigner(root.realm(), CredentialsFile.read("credentials-file", credentialsFile), Clock.systemUTC());
  }

  /**
   * The OCI projects of {@code distribution} whose title matches {@code text} (every one when
   * {@code text} is empty), in Launchpad's order.
   */
  public List<OciProject> search(String distribution, String text) {
    if (distribution == null || !distribution.matches("[a-z0-9][a-z0-9+.-]*")) {
      throw new InvalidRequestException("distribution", "'" + distribution + "' is not a Launchpad name");
    }
    URI uri = root.api().resolve(distribution + "?ws.op=searchOCIProjects&ws.size=300"
        + (text == null || text.isEmpty() ? "" : "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8)));
    List<OciProject> found = new ArrayList<>();
    for (int page = 0; uri != null && page < MAX_PAGES; page++) {
      JsonNode json = get(uri);
      for (JsonNode e : json.path("entries")) {
        String name = e.path("name").asText("");
        if (!name.isEmpty()) {
          found.add(new OciProject(name, e.path("display_name").asText(name), link(e, "self_link"), link(e, "web_link")));
        }
      }
      String next = json.path("next_collection_link").asText("");
      uri = next.isEmpty() || json.path("entries").isEmpty() ? null : URI.create(next);
    }
    return found;
  }

  private static URI link(JsonNode e, String field) {
    String v = e.path(field).asText("");
    return v.isEmpty() ? null : URI.create(v);
  }

  private JsonNode get(URI uri) {
    if (signer != null && !LaunchpadClient.sameOrigin(uri, root.api())) {
      // A next_collection_link comes from the answer: one pointing elsewhere gets no credentials.
      throw new ImageBuildException("refusing to send the Launchpad credentials to " + uri
          + ": it is outside the service root " + root.api());
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET();
    if (signer != null) {
      b.header("Authorization", signer.header());
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ImageBuildException("Launchpad at " + root.api() + " did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageBuildException("interrupted while searching OCI projects", e);
    }
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      throw new AuthenticationException(r.statusCode(), "GET", uri, r.body());
    }
    if (r.statusCode() == 404) {
      throw new InvalidRequestException("distribution", "Launchpad has no distribution at " + uri.getPath());
    }
    if (r.statusCode() != 200) {
      throw new RemoteServiceException(r.statusCode(), "GET", uri, r.body());
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new RemoteServiceException(r.statusCode(), "GET", uri, "answer is not JSON");
    }
  }
}
