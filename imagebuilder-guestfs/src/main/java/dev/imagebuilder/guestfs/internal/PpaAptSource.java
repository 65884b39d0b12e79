package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.Series;

/**
 * A PPA as apt sees it in the image: a deb822 {@code .sources} file whose {@code Signed-By}
 * names the PPA's own keyring, so the key vouches for that archive only (not for every source,
 * as a key in {@code trusted.gpg.d} would).
 *
 * @param sourcesFileName the file's name in {@code /etc/apt/sources.list.d}
 * @param keyringFileName the keyring's name in {@code /etc/apt/keyrings}
 * @param deb822 the sources file's text
 */
record PpaAptSource(Ppa ppa, String sourcesFileName, String keyringFileName, String deb822, OpenPgpKey key) {
  static final String SOURCES_DIRECTORY = "/etc/apt/sources.list.d";
  static final String KEYRINGS_DIRECTORY = "/etc/apt/keyrings";

  static PpaAptSource of(Ppa ppa, Series series, PpaUrlTemplate urls, OpenPgpKey key) {
    String suite = series.codenameOrVersion();
    String stem = fileSafe(ppa.owner() + "-" + ppa.distribution() + "-" + ppa.name());
    // Named as add-apt-repository names them, so a later add-apt-repository or
    // ppa-purge finds and replaces ours instead of adding a duplicate.
    String sourcesFile = stem + "-" + fileSafe(suite) + ".sources";
    String keyring = stem + ".gpg";
    String text = "# " + ppa.reference() + ", added by imagebuilder (key " + key.fingerprint() + ")\n"
        + "Types: deb\n"
        + "URIs: " + urls.archiveUrl(ppa, series) + "\n"
        + "Suites: " + suite + "\n"
        + "Components: main\n"
        + "Signed-By: " + KEYRINGS_DIRECTORY + "/" + keyring + "\n";
    return new PpaAptSource(ppa, sourcesFile, keyring, text, key);
  }

  /**
   * apt silently ignores files in {@code sources.list.d} whose names hold anything but letters,
   * digits, '_', '-' and '.'; Launchpad names may hold '+'.
   */
  static String fileSafe(String s) {
    return s.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
