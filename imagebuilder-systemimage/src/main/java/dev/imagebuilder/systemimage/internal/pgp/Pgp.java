package dev.imagebuilder.systemimage.internal.pgp;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The BouncyCastle provider instance, used explicitly rather than registered JVM-wide. */
final class Pgp {
  static final Provider PROVIDER = new BouncyCastleProvider();

  private Pgp() {}
}
