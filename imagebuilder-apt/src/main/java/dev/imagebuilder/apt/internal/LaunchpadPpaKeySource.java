package dev.imagebuilder.apt.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The key {@code add-apt-repository} would use: the archive's {@code signing_key_fingerprint}
 * from Launchpad's web service (an anonymous read of {@code ~owner/+archive/distribution/name}),
 * then that key from the keyserver, accepted only when a primary key in the answer has that
 * fingerprint, and then kept alone.
 */
public final class LaunchpadPpaKeySource implements PpaKeySource {
  /** Launchpad publishes 40 upper-case hex digits; case is not significant in a fingerprint. */
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-Fa-f]{40}");
  /** An archive entry or a key is a few KiB; anything this large is not what was asked for. */
  static final int MAX_ANSWER_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpService http;
  private final URI launchpadApi;
  private final KeyserverLookup keyserver;
  private final Duration timeout;

  /**
   * @param launchpadApi the web service root, such as {@code https://api.launchpad.net/devel/}
   * @param timeout for each of the two requests
   */
  public LaunchpadPpaKeySource(HttpService http, URI launchpadApi, KeyserverLookup keyserver,
      Duration timeout) {
    this.http = http;
    this.launchpadApi = launchpadApi.toString().endsWith("/")
        ? launchpadApi : URI.create(launchpadApi + "/");
    this.keyserver = keyserver;
    this.timeout = timeout;
  }

  @Override
  public OpenPgpKeyring keyFor(Ppa ppa) {
    String fingerprint = fingerprintOf(ppa);
    URI lookup = keyserver.uriFor(fingerprint);
    Answer answer = get(lookup, "application/pgp-keys");
    if (answer.status() == 404) {
      throw new RemoteServiceException(404, "GET", lookup,
          "the keyserver has no key " + fingerprint + " for " + ppa.reference());
    }
    if (answer.status() != 200) {
      throw new RemoteServiceException(answer.status(), "GET", lookup, answer.text());
    }
    OpenPgpKeyring keys = OpenPgpKeyring.parse(answer.body(), "the keyserver's answer for " + ppa.reference());
    return keys.only(fingerprint).orElseThrow(() -> {
      List<String> found = keys.fingerprints();
      return new IntegrityException("the keyserver returned " + (found.size() == 1 ? "key " : "keys ")
          + String.join(", ", found) + " for " + ppa.reference() + ", whose signing key is "
          + fingerprint + " according to Launchpad");
    });
  }

  private String fingerprintOf(Ppa ppa) {
    URI archive = launchpadApi.resolve(ppa.launchpadPath());
    Answer answer = get(archive, "application/json");
    if (answer.status() == 404) {
      throw new InvalidRequestException("ppas", "'" + ppa.reference() + "' does not exist on Launchpad");
    }
    if (answer.status() != 200) {
      throw new RemoteServiceException(answer.status(), "GET", archive, answer.text());
    }
    JsonNode entry;
    try {
      entry = JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new RemoteServiceException(200, "GET", archive,
          "the answer is not JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    if (entry == null || !entry.isObject()) {
      throw new RemoteServiceException(200, "GET", archive, "the answer is not an archive entry");
    }
    JsonNode fingerprint = entry.path("signing_key_fingerprint");
    if (fingerprint.isMissingNode() || fingerprint.isNull()) {
      throw new InvalidRequestException("ppas", "'" + ppa.reference()
          + "' has no signing key yet (Launchpad creates it when the PPA first publishes)");
    }
    if (!fingerprint.isTextual() || !FINGERPRINT.matcher(fingerprint.asText()).matches()) {
      throw new RemoteServiceException(200, "GET", archive, "signing_key_fingerprint "
          + fingerprint + " is not a fingerprint of 40 hex digits");
    }
    return fingerprint.asText().toUpperCase(Locale.ROOT);
  }

  private Answer get(URI uri, String accept) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .header("Accept", accept)
        .timeout(timeout)
        .GET()
        .build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      byte[] body = in.readNBytes(MAX_ANSWER_BYTES + 1);
      if (body.length > MAX_ANSWER_BYTES) {
        throw new RemoteServiceException(response.statusCode(), "GET", uri,
            "the answer is larger than " + MAX_ANSWER_BYTES + " bytes");
      }
      return new Answer(response.statusCode(), body);
    } catch (IOException e) {
      throw new RemoteServiceException(response.statusCode(), "GET", uri,
          "the answer broke off: " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "Launchpad " + launchpadApi + " and keyserver " + keyserver;
  }

  private record Answer(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
