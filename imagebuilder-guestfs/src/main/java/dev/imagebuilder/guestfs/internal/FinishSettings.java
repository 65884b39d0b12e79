package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.spi.Configuration;

/**
 * How a customized image is sealed (scope {@code guestfs}): apt's lists and package cache
 * removed, unused blocks discarded, qcow2 clusters compressed.
 *
 * @param cleanApt run {@code apt-get clean} and empty {@code /var/lib/apt/lists} in the image
 * @param sparsify run {@code virt-sparsify --in-place} on the image
 * @param compress write qcow2 output compressed ({@code qemu-img convert -c}); raw is never
 */
record FinishSettings(boolean cleanApt, boolean sparsify, String virtSparsify, boolean compress) {
  static final String CLEAN_APT = "clean-apt";
  static final String SPARSIFY = "sparsify";
  static final String VIRT_SPARSIFY = "virt-sparsify";
  static final String COMPRESS = "compress";

  static FinishSettings read(Configuration config) {
    return new FinishSettings(config.flag(CLEAN_APT, true), config.flag(SPARSIFY, false),
        config.get(VIRT_SPARSIFY, "virt-sparsify").strip(), config.flag(COMPRESS, true));
  }
}
