package dev.imagebuilder.apt.internal;

import dev.imagebuilder.spi.Configuration;
import dev.imagebuilder.spi.HttpService;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a backend turns PPAs into apt sources: one set of configuration keys, the same in the
 * {@code guestfs} and {@code systemimage} scopes, with the same defaults. Read and checked once
 * per build, so that a bad value is rejected before anything runs.
 *
 * @param urlTemplate {@value #PPA_URL_TEMPLATE}: where apt in the image finds a PPA
 * @param keyFile {@value #PPA_KEY_FILE}: one key file for every PPA instead of Launchpad
 * @param keyFileSetting the qualified name of {@value #PPA_KEY_FILE}, for messages
 * @param launchpadApi {@value #LAUNCHPAD_API}: the web service root the fingerprint is read from
 * @param keyserver {@value #KEYSERVER}: where the key with that fingerprint is fetched
 */
public record PpaSettings(
    PpaUrlTemplate urlTemplate,
    Optional<Path> keyFile,
    String keyFileSetting,
    URI launchpadApi,
    KeyserverLookup keyserver) {

  public static final String PPA_URL_TEMPLATE = "ppa-url-template";
  public static final String PPA_KEY_FILE = "ppa-key-file";
  public static final String LAUNCHPAD_API = "launchpad-api";
  public static final String KEYSERVER = "keyserver";
  /** The systemimage backend's old name for {@value #KEYSERVER} (which takes its templates too). */
  public static final String DEPRECATED_KEYSERVER_URL_TEMPLATE = "keyserver-url-template";

  public static final String DEFAULT_LAUNCHPAD_API = "https://api.launchpad.net/devel/";
  public static final String DEFAULT_KEYSERVER = "https://keyserver.ubuntu.com";

  /** Reads the settings of {@code config}'s scope, warning once about old key names. */
  public static PpaSettings from(Configuration config) {
    return from(config, DeprecatedKeys.LOGGED);
  }

  static PpaSettings from(Configuration config, DeprecatedKeys deprecated) {
    // A bad value under the old name is reported under the name the user set.
    String keyserverField = config.get(KEYSERVER).isPresent() || config.get(DEPRECATED_KEYSERVER_URL_TEMPLATE).isEmpty()
        ? config.qualified(KEYSERVER) : config.qualified(DEPRECATED_KEYSERVER_URL_TEMPLATE);
    return new PpaSettings(
        config.get(PPA_URL_TEMPLATE)
            .map(v -> PpaUrlTemplate.parse(config.qualified(PPA_URL_TEMPLATE), v))
            .orElse(PpaUrlTemplate.LAUNCHPAD),
        config.path(PPA_KEY_FILE),
        config.qualified(PPA_KEY_FILE),
        launchpadApi(config.qualified(LAUNCHPAD_API), config.get(LAUNCHPAD_API, DEFAULT_LAUNCHPAD_API)),
        KeyserverLookup.parse(keyserverField,
            deprecated.get(config, KEYSERVER, DEPRECATED_KEYSERVER_URL_TEMPLATE).orElse(DEFAULT_KEYSERVER)));
  }

  /**
   * The configured key file, or Launchpad and the keyserver.
   *
   * @param timeout for each request to Launchpad and the keyserver
   */
  public PpaKeySource keySource(HttpService http, Duration timeout) {
    return keyFile.<PpaKeySource>map(f -> new FilePpaKeySource(f, keyFileSetting))
        .orElseGet(() -> new LaunchpadPpaKeySource(http, launchpadApi, keyserver, timeout));
  }

  /** Where keys come from, for plans and logs, without making a key source. */
  public String describeKeySource() {
    return keyFile.map(f -> "key file " + f)
        .orElse("Launchpad " + launchpadApi + " and keyserver " + keyserver);
  }

  private static URI launchpadApi(String field, String text) {
    URI uri = HttpUrls.require(field, text, text.strip());
    return uri.toString().endsWith("/") ? uri : URI.create(uri + "/");
  }
}
