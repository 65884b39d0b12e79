/**
 * OpenStack Glance as a destination for disk images: Keystone v3 authentication (password or
 * application credential) configured the way the OpenStack clients read it ({@code clouds.yaml}
 * with {@code OS_CLOUD} and {@code OS_CLIENT_CONFIG_FILE}, or the {@code OS_*} variables), the
 * image endpoint from the token's catalog, and Glance v2 image creation, upload (or
 * glance-direct import) and verification. Failed uploads never leave an image behind.
 */
module dev.imagebuilder.glance {
  requires transitive dev.imagebuilder.api;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires org.slf4j;

  exports dev.imagebuilder.glance;
}
