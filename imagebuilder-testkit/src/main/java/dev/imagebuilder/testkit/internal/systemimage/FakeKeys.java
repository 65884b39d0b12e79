package dev.imagebuilder.testkit.internal.systemimage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;

/**
 * The fake server's own OpenPGP keys (archive-master, image-master, image-signing), generated
 * once per JVM: RSA key generation is slow and tests need no fresh keys.
 */
public final class FakeKeys {
  static final Provider BC = new BouncyCastleProvider();
  private static volatile FakeKeys shared;

  public final Key archiveMaster;
  public final Key imageMaster;
  public final Key imageSigning;

  private FakeKeys() {
    archiveMaster = Key.generate("Fake archive master <archive-master@fake.invalid>");
    imageMaster = Key.generate("Fake image master <image-master@fake.invalid>");
    imageSigning = Key.generate("Fake image signing <image-signing@fake.invalid>");
  }

  public static FakeKeys shared() {
    FakeKeys k = shared;
    if (k == null) {
      synchronized (FakeKeys.class) {
        if (shared == null) {
          shared = new FakeKeys();
        }
        k = shared;
      }
    }
    return k;
  }

  /** One key pair with its public ring. */
  public static final class Key {
    private final PGPKeyPair pair;
    private final PGPPublicKeyRing ring;

    private Key(PGPKeyPair pair, PGPPublicKeyRing ring) {
      this.pair = pair;
      this.ring = ring;
    }

    static Key generate(String uid) {
      try {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA", BC);
        kpg.initialize(2048);
        PGPKeyPair pair = new JcaPGPKeyPair(PublicKeyPacket.VERSION_4, PGPPublicKey.RSA_GENERAL,
            kpg.generateKeyPair(), new Date());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
        PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
            uid, new JcaPGPDigestCalculatorProviderBuilder().setProvider(BC).build()
                .get(HashAlgorithmTags.SHA1), hashed.generate(), null,
            new JcaPGPContentSignerBuilder(PGPPublicKey.RSA_GENERAL, HashAlgorithmTags.SHA256)
                .setProvider(BC), null);
        return new Key(pair, gen.generatePublicKeyRing());
      } catch (Exception e) {
        throw new IllegalStateException("cannot generate the fake server's keys", e);
      }
    }

    /** A detached, armoured signature, as gpg --armor --detach-sign writes it. */
    public byte[] sign(byte[] data) {
      try {
        PGPSignatureGenerator gen = new PGPSignatureGenerator(
            new JcaPGPContentSignerBuilder(PGPPublicKey.RSA_GENERAL, HashAlgorithmTags.SHA256)
                .setProvider(BC), pair.getPublicKey());
        gen.init(PGPSignature.BINARY_DOCUMENT, pair.getPrivateKey());
        gen.update(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream a = new ArmoredOutputStream(out)) {
          gen.generate().encode(a);
        }
        return out.toByteArray();
      } catch (Exception e) {
        throw new IllegalStateException("signing failed", e);
      }
    }

    /** The public key, binary, as keyring.gpg holds it. */
    public byte[] publicBinary() {
      try {
        return ring.getEncoded();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public String publicArmored() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArmoredOutputStream a = new ArmoredOutputStream(out)) {
        ring.encode(a);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }
  }
}
