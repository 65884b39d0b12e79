/**
 * Cloud image backend: fetches and verifies a base cloud image, then customizes a copy with
 * libguestfs's {@code virt-customize} (PPAs as deb822 sources with their signing keys, packages
 * installed), producing a new qcow2 or raw disk image.
 */
module dev.imagebuilder.guestfs {
  // The exported provider's signatures show api types: readers of this module get them too.
  requires transitive dev.imagebuilder.api;
  requires dev.imagebuilder.apt;
  requires dev.imagebuilder.glance;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports dev.imagebuilder.guestfs;

  provides dev.imagebuilder.spi.BackendProvider with
      dev.imagebuilder.guestfs.GuestfsBackendProvider;
}
