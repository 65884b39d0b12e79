package dev.imagebuilder.cli.internal;

/**
 * The connection settings of a run, as the state journal records them so that {@code resume},
 * {@code cancel} and {@code status} need nothing but the journal. Paths and names only: the
 * credentials stay in their file.
 */
record Settings(String launchpad, String credentials, String catalog, String pollInterval) {
  static final Settings NONE = new Settings(null, null, null, null);

  static boolean isDemo(Settings s) {
    return s.launchpad() != null && s.launchpad().strip().equalsIgnoreCase(Engine.DEMO);
  }

  /**
   * For resume, cancel and status: a journal of {@code --launchpad demo} names builds that lived
   * in that command's own fake Launchpad, gone with it; a new demo would not know them.
   */
  Settings requireResumable(StateJournal journal) {
    java.nio.file.Path file = journal.file();
    if (isDemo(this) && journal.entries().stream().anyMatch(e -> !e.isDone())) {
      throw new UsageException("--state: '" + file + "' records builds of '--launchpad demo', which lived in"
          + " that command's own fake Launchpad and stopped with it; use '" + Cli.NAME + " fakes' for a fake"
          + " that outlives a command");
    }
    return this;
  }

  /** These settings, with each one the user gave again on the command line winning. */
  Settings overriddenBy(Settings given) {
    return new Settings(
        given.launchpad != null ? given.launchpad : launchpad,
        given.credentials != null ? given.credentials : credentials,
        given.catalog != null ? given.catalog : catalog,
        given.pollInterval != null ? given.pollInterval : pollInterval);
  }
}
