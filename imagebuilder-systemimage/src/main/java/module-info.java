/**
 * System-image protocol, mirroring, rootfs customization and signed channel publishing: the touch
 * backend (provider name {@code systemimage}). The exported package holds the provider, the
 * {@link dev.imagebuilder.systemimage.RootfsCustomizer} SPI and the {@code KeyTool} command; the
 * protocol client, mirror, publisher and OpenPGP code live in unexported internal packages.
 */
module dev.imagebuilder.systemimage {
  // The exported provider, SPI and records show api types: readers of this module get them too.
  requires transitive dev.imagebuilder.api;
  requires dev.imagebuilder.apt;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires org.bouncycastle.pg;
  requires org.bouncycastle.provider;
  requires org.apache.commons.compress;
  requires org.tukaani.xz;

  exports dev.imagebuilder.systemimage;

  uses dev.imagebuilder.systemimage.RootfsCustomizer;

  provides dev.imagebuilder.spi.BackendProvider
      with dev.imagebuilder.systemimage.SystemImageBackendProvider;
}
