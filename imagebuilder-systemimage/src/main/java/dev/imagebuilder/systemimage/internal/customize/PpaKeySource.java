package dev.imagebuilder.systemimage.internal.customize;

import dev.imagebuilder.api.Ppa;

/**
 * Where a PPA's archive signing key comes from. Launchpad in production; a configured file when
 * Launchpad is out of reach (tests, air-gapped mirrors of PPAs).
 */
public interface PpaKeySource {
  /** The armoured public key that signs {@code ppa}'s Release files. */
  byte[] armoredKey(Ppa ppa);
}
