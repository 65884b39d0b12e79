package dev.imagebuilder.cli.internal;

/**
 * The connection settings of a run, as the state journal records them so that {@code resume},
 * {@code cancel} and {@code status} need nothing but the journal. Paths and names only: the
 * credentials stay in their file.
 */
record Settings(String launchpad, String credentials, String catalog, String pollInterval) {
  static final Settings NONE = new Settings(null, null, null, null);

  /** These settings, with each one the user gave again on the command line winning. */
  Settings overriddenBy(Settings given) {
    return new Settings(
        given.launchpad != null ? given.launchpad : launchpad,
        given.credentials != null ? given.credentials : credentials,
        given.catalog != null ? given.catalog : catalog,
        given.pollInterval != null ? given.pollInterval : pollInterval);
  }
}
