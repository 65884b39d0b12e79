package dev.imagebuilder.apt.internal;

import dev.imagebuilder.api.Ppa;

/**
 * Where the signing key of a PPA comes from: Launchpad and a keyserver in production, a
 * configured file for mirrors and sites that cannot reach Launchpad.
 */
public interface PpaKeySource {
  /**
   * The public key that signs {@code ppa}'s Release files; blocking.
   *
   * @throws dev.imagebuilder.api.InvalidRequestException when the PPA or the configured key is
   *     unusable (naming the field)
   * @throws dev.imagebuilder.api.IntegrityException when a fetched key is not the one expected
   * @throws dev.imagebuilder.api.RemoteServiceException when Launchpad or the keyserver fails
   */
  OpenPgpKeyring keyFor(Ppa ppa);

  /** Where keys come from, for logs and plans. */
  String describe();
}
