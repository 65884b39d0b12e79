package dev.imagebuilder.apt.internal;

import java.net.URI;

/**
 * Where a key is fetched by its fingerprint: a URL template with {@code {fingerprint}}. Given a
 * keyserver's base URL instead, the HKP lookup {@code /pks/lookup?op=get&options=mr&search=0x...}
 * (what {@code add-apt-repository} asks keyserver.ubuntu.com) is appended to it.
 *
 * @param template an http or https URL with the placeholder {@code {fingerprint}}
 */
public record KeyserverLookup(String template) {
  static final String PLACEHOLDER = "{fingerprint}";
  static final String HKP_LOOKUP = "/pks/lookup?op=get&options=mr&search=0x" + PLACEHOLDER;

  /**
   * A base URL ({@code https://keyserver.ubuntu.com}) or a template with {@code {fingerprint}}.
   *
   * @param field the configuration key, for messages
   */
  public static KeyserverLookup parse(String field, String text) {
    String t = text.strip();
    String template = t.contains(PLACEHOLDER) ? t : t.replaceFirst("/+$", "") + HKP_LOOKUP;
    HttpUrls.require(field, text, template.replace(PLACEHOLDER, "0".repeat(40)));
    return new KeyserverLookup(template);
  }

  /** The URL of the key with {@code fingerprint} (40 hex digits, so nothing needs escaping). */
  public URI uriFor(String fingerprint) {
    return URI.create(template.replace(PLACEHOLDER, fingerprint));
  }

  @Override
  public String toString() {
    return template;
  }
}
