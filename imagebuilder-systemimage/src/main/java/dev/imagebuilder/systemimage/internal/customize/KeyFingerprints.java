package dev.imagebuilder.systemimage.internal.customize;

import dev.imagebuilder.api.IntegrityException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;

/** Checks that a downloaded key is the one a fingerprint names. */
final class KeyFingerprints {
  private KeyFingerprints() {}

  /**
   * The armoured key whose primary key has {@code fingerprint}, and nothing else: a keyserver
   * answer may hold further keys (or hang the fingerprint's key under another primary as a
   * subkey), and apt trusts every primary key of a Signed-By file.
   */
  static byte[] requireFingerprint(byte[] key, String fingerprint, String what) {
    PGPPublicKeyRing match = null;
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(key))) {
      PGPPublicKeyRingCollection rings =
          new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
      for (Iterator<PGPPublicKeyRing> r = rings.getKeyRings(); r.hasNext(); ) {
        PGPPublicKeyRing ring = r.next();
        String f = HexFormat.of().formatHex(ring.getPublicKey().getFingerprint())
            .toUpperCase(Locale.ROOT);
        if (f.equals(fingerprint)) {
          match = ring;
        }
      }
      if (match != null) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().build(out)) {
          match.encode(armored);
        }
        return out.toByteArray();
      }
    } catch (Exception e) {
      throw new IntegrityException(what + " cannot be read: " + e.getMessage());
    }
    throw new IntegrityException(what + " does not have the fingerprint " + fingerprint);
  }
}
