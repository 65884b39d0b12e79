package dev.imagebuilder.apt.internal;

import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A PPA as apt sees it in an image: a deb822 {@code .sources} file whose {@code Signed-By}
 * names the PPA's own binary keyring, so the key vouches for that archive only (not for every
 * source, as a key in {@code trusted.gpg.d} would). deb822 files and {@code Signed-By} with a
 * file need apt 1.1 or later; a binary keyring works with all of those, an armored one only
 * from apt 1.4.
 *
 * @param suite the series codename (apt names suites by codename)
 * @param archive the archive's URL, resolved inside the image
 * @param sourcesFileName the file's name in {@link #SOURCES_DIRECTORY}
 * @param keyringFileName the keyring's name in {@link #KEYRINGS_DIRECTORY}
 */
public record PpaAptSource(Ppa ppa, String suite, URI archive, String sourcesFileName,
    String keyringFileName, OpenPgpKeyring key) {
  public static final String SOURCES_DIRECTORY = "/etc/apt/sources.list.d";
  public static final String KEYRINGS_DIRECTORY = "/etc/apt/keyrings";
  public static final List<String> COMPONENTS = List.of("main");

  public PpaAptSource {
    Objects.requireNonNull(ppa, "ppa");
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(key, "key");
  }

  public static PpaAptSource of(Ppa ppa, Series series, PpaUrlTemplate urls, OpenPgpKeyring key) {
    String suite = series.codenameOrVersion();
    String stem = fileSafe(ppa.owner() + "-" + ppa.distribution() + "-" + ppa.name());
    // Named as add-apt-repository names them, so a later add-apt-repository or
    // ppa-purge finds and replaces ours instead of adding a duplicate.
    return new PpaAptSource(ppa, suite, urls.archiveUri(ppa, series),
        stem + "-" + fileSafe(suite) + ".sources", stem + ".gpg", key);
  }

  /** The sources file's absolute path in the image. */
  public String sourcesPath() {
    return SOURCES_DIRECTORY + "/" + sourcesFileName;
  }

  /** The keyring's absolute path in the image, which {@code Signed-By} names. */
  public String keyringPath() {
    return KEYRINGS_DIRECTORY + "/" + keyringFileName;
  }

  /** The sources file's text: a comment naming the PPA and its key, then the stanza. */
  public String deb822() {
    List<String> fingerprints = key.fingerprints();
    return "# " + ppa.reference() + ", added by imagebuilder ("
        + (fingerprints.size() == 1 ? "key " : "keys ") + String.join(", ", fingerprints) + ")\n"
        + stanza(archive, suite, COMPONENTS, keyringPath());
  }

  /** One deb822 stanza of type {@code deb}, as apt's {@code sources.list(5)} describes it. */
  public static String stanza(URI uri, String suite, List<String> components, String signedBy) {
    return "Types: deb\n"
        + "URIs: " + uri + "\n"
        + "Suites: " + suite + "\n"
        + "Components: " + String.join(" ", components) + "\n"
        + "Signed-By: " + signedBy + "\n";
  }

  /**
   * apt silently ignores files in {@code sources.list.d} whose names hold anything but letters,
   * digits, '_', '-' and '.' (and ':'); Launchpad names may hold '+', which becomes '_'.
   */
  public static String fileSafe(String s) {
    return s.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
