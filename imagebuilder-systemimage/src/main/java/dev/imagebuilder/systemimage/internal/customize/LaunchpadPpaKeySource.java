package dev.imagebuilder.systemimage.internal.customize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.spi.HttpService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Asks Launchpad for a PPA's {@code signing_key_fingerprint} (the archive entry of its web
 * service), then fetches that key from the keyserver, as {@code add-apt-repository} does. The
 * fetched key is checked to really have that fingerprint before it is trusted.
 */
public final class LaunchpadPpaKeySource implements PpaKeySource {
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-F]{40}");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpService http;
  private final String apiRoot;
  private final String keyserverTemplate;
  private final Duration timeout;

  public LaunchpadPpaKeySource(HttpService http, String apiRoot, String keyserverTemplate,
      Duration timeout) {
    this.http = http;
    this.apiRoot = apiRoot.endsWith("/") ? apiRoot : apiRoot + "/";
    this.keyserverTemplate = keyserverTemplate;
    this.timeout = timeout;
  }

  @Override
  public byte[] armoredKey(Ppa ppa) {
    URI archive = URI.create(apiRoot + ppa.launchpadPath());
    JsonNode entry;
    try {
      entry = MAPPER.readTree(get(archive));
    } catch (IOException e) {
      throw new IntegrityException("Launchpad's answer for " + ppa + " is not JSON: " + e.getMessage());
    }
    String fpr = entry.path("signing_key_fingerprint").asText("");
    if (!FINGERPRINT.matcher(fpr).matches()) {
      throw new IntegrityException("Launchpad gives " + ppa + " no signing key fingerprint"
          + " (is the PPA published yet?)");
    }
    byte[] key = get(URI.create(keyserverTemplate.replace("{fingerprint}", fpr)));
    String text = new String(key, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
      throw new IntegrityException("the keyserver returned no armoured key for " + fpr);
    }
    return KeyFingerprints.requireFingerprint(key, fpr, "the key of " + ppa);
  }

  private byte[] get(URI uri) {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new RemoteServiceException(r.statusCode(), "GET", uri,
          new String(r.body(), StandardCharsets.UTF_8));
    }
    return r.body();
  }
}
