package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.Ppa;

/** Where the signing key of a PPA comes from. */
interface PpaKeySource {
  /** The PPA's public signing key; blocking. */
  OpenPgpKey keyFor(Ppa ppa);

  /** Where keys come from, for logs. */
  String describe();
}
