package dev.imagebuilder.systemimage.internal.customize;

import dev.imagebuilder.api.IntegrityException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;

/** Checks that a downloaded key is the one a fingerprint names. */
final class KeyFingerprints {
  private KeyFingerprints() {}

  static void requireFingerprint(byte[] key, String fingerprint, String what) {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(key))) {
      PGPPublicKeyRingCollection rings =
          new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
      for (Iterator<PGPPublicKeyRing> r = rings.getKeyRings(); r.hasNext(); ) {
        for (Iterator<PGPPublicKey> k = r.next().getPublicKeys(); k.hasNext(); ) {
          String f = HexFormat.of().formatHex(k.next().getFingerprint()).toUpperCase(Locale.ROOT);
          if (f.equals(fingerprint)) {
            return;
          }
        }
      }
    } catch (Exception e) {
      throw new IntegrityException(what + " cannot be read: " + e.getMessage());
    }
    throw new IntegrityException(what + " does not have the fingerprint " + fingerprint);
  }
}
