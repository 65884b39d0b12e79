/** System-image protocol, mirroring, rootfs customization and signed channel publishing: the touch backend. */
module dev.imagebuilder.systemimage {
  requires dev.imagebuilder.core;
}
