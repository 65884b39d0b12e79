/**
 * OCI distribution client and image promotion: manifests are read with the full Accept list and
 * written back as their exact bytes (the digest never changes), blobs are mounted within a
 * registry and copied across registries, Basic and Bearer token auth follow the registry's
 * challenges, and credentials come from the docker/containers auth files and credential helpers.
 * Public: {@link dev.imagebuilder.registry.Promoter} and its value types; the HTTP, auth and
 * manifest code lives in the unexported {@code internal} package.
 */
module dev.imagebuilder.registry {
  requires transitive dev.imagebuilder.api;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.imagebuilder.registry;
}
