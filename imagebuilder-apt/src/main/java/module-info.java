/**
 * PPAs as apt sources, shared by the cloud ({@code guestfs}) and touch ({@code systemimage})
 * backends: a PPA's signing key (Launchpad's {@code signing_key_fingerprint}, fetched from a
 * keyserver and checked with Bouncy Castle, or a configured key file), its archive URL, and the
 * deb822 {@code .sources} file with {@code Signed-By} that apt reads. Nothing here is public
 * API: the one package is exported only to the two backends, as Methanol exports its internals
 * to its sibling modules.
 */
@SuppressWarnings("module") // the qualified exports name modules that are built after this one
module dev.imagebuilder.apt {
  requires transitive dev.imagebuilder.api;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires org.bouncycastle.pg;
  requires org.bouncycastle.provider;

  exports dev.imagebuilder.apt.internal to
      dev.imagebuilder.guestfs,
      dev.imagebuilder.systemimage;
}
