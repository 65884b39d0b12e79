package dev.imagebuilder.guestfs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The key {@code add-apt-repository} would use: the archive's {@code signing_key_fingerprint}
 * from Launchpad's web service (anonymous read), then that key from the keyserver, accepted only
 * when its computed fingerprint is the one Launchpad published.
 */
final class LaunchpadPpaKeySource implements PpaKeySource {
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-Fa-f]{40}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpService http;
  private final URI launchpadApi;
  private final URI keyserver;

  LaunchpadPpaKeySource(HttpService http, URI launchpadApi, URI keyserver) {
    this.http = http;
    this.launchpadApi = launchpadApi.toString().endsWith("/")
        ? launchpadApi : URI.create(launchpadApi + "/");
    this.keyserver = keyserver;
  }

  @Override
  public OpenPgpKey keyFor(Ppa ppa) {
    String fingerprint = fingerprintOf(ppa);
    URI lookup = keyserver.resolve("/pks/lookup?op=get&options=mr&search=0x" + fingerprint);
    HttpResponse<byte[]> response = get(lookup, "application/pgp-keys");
    if (response.statusCode() != 200) {
      throw new RemoteServiceException(response.statusCode(), "GET", lookup,
          "the keyserver has no key " + fingerprint + " for " + ppa.reference());
    }
    OpenPgpKey key = OpenPgpKey.parse(response.body(), "the keyserver's key for " + ppa.reference());
    if (!key.hasFingerprint(fingerprint)) {
      throw new IntegrityException("the keyserver returned key " + key.fingerprint() + " for "
          + ppa.reference() + ", whose signing key is " + fingerprint + " according to Launchpad");
    }
    return key;
  }

  private String fingerprintOf(Ppa ppa) {
    URI archive = launchpadApi.resolve(ppa.launchpadPath());
    HttpResponse<byte[]> response = get(archive, "application/json");
    if (response.statusCode() == 404) {
      throw new InvalidRequestException("ppas", "'" + ppa.reference() + "' does not exist on Launchpad");
    }
    if (response.statusCode() != 200) {
      throw new RemoteServiceException(response.statusCode(), "GET", archive,
          new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    JsonNode fingerprint;
    try {
      fingerprint = JSON.readTree(response.body()).path("signing_key_fingerprint");
    } catch (IOException e) {
      throw new RemoteServiceException(200, "GET", archive, "not JSON: " + e.getMessage());
    }
    if (!fingerprint.isTextual() || !FINGERPRINT.matcher(fingerprint.asText()).matches()) {
      throw new InvalidRequestException("ppas", "'" + ppa.reference()
          + "' has no signing key yet (Launchpad creates it when the PPA first publishes)");
    }
    return fingerprint.asText().toUpperCase(java.util.Locale.ROOT);
  }

  private HttpResponse<byte[]> get(URI uri, String accept) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .header("Accept", accept)
        .timeout(Duration.ofMinutes(1))
        .GET()
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public String describe() {
    return "Launchpad " + launchpadApi + " and keyserver " + keyserver;
  }
}
