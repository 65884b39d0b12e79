/** Launchpad web service client (OAuth 1.0 PLAINTEXT) and the OCI recipe backend. */
module dev.imagebuilder.launchpad {
  requires dev.imagebuilder.core;
}
