/**
 * Launchpad web service client (OAuth 1.0 PLAINTEXT, entries, collections, named operations,
 * errors) and the OCI recipe backend ({@code launchpad}). Public: the backend provider and
 * {@link dev.imagebuilder.launchpad.LaunchpadLogin}, the three-step token flow.
 */
module dev.imagebuilder.launchpad {
  requires transitive dev.imagebuilder.api;
  requires dev.imagebuilder.registry;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires jdk.httpserver;

  exports dev.imagebuilder.launchpad;

  provides dev.imagebuilder.spi.BackendProvider with
      dev.imagebuilder.launchpad.LaunchpadBackendProvider;
}
