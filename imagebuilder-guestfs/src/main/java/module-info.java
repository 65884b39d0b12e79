/** Cloud image backend: verified base image download and virt-customize. */
module dev.imagebuilder.guestfs {
  requires dev.imagebuilder.core;
}
