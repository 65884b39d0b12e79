package dev.imagebuilder.cli.internal;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest (the shaded jar carries it), or "development". */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Version.class.getPackage().getImplementationVersion();
    return new String[] {Cli.NAME + " " + (v == null ? "(development build)" : v),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
  }
}
