package dev.imagebuilder.systemimage.internal.pgp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyEncryptorBuilder;

/** A freshly generated RSA signing key, as the server's {@code generate-keys} makes them. */
public final class GeneratedKey {
  private final PGPSecretKeyRing secret;
  private final PGPPublicKeyRing publicRing;

  private GeneratedKey(PGPSecretKeyRing secret, PGPPublicKeyRing publicRing) {
    this.secret = secret;
    this.publicRing = publicRing;
  }

  /**
   * Generates a key.
   *
   * @param expirySeconds the key's lifetime, or 0 for none
   * @param passphrase protects the secret key; empty leaves it unencrypted
   */
  public static GeneratedKey generate(String userId, int bits, long expirySeconds, char[] passphrase)
      throws PGPException {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA", Pgp.PROVIDER);
      kpg.initialize(bits);
      Date now = new Date();
      PGPKeyPair pair = new JcaPGPKeyPair(PublicKeyPacket.VERSION_4, PGPPublicKey.RSA_GENERAL,
          kpg.generateKeyPair(), now);
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      hashed.setPreferredHashAlgorithms(false,
          new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
      if (expirySeconds > 0) {
        hashed.setKeyExpirationTime(false, expirySeconds);
      }
      PGPDigestCalculator sha1 = new JcaPGPDigestCalculatorProviderBuilder()
          .setProvider(Pgp.PROVIDER).build().get(HashAlgorithmTags.SHA1);
      boolean encrypt = passphrase != null && passphrase.length > 0;
      PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
          userId, sha1, hashed.generate(), null,
          new JcaPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512)
              .setProvider(Pgp.PROVIDER),
          encrypt ? new JcePBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256,
              new JcaPGPDigestCalculatorProviderBuilder().setProvider(Pgp.PROVIDER).build()
                  .get(HashAlgorithmTags.SHA256))
              .setProvider(Pgp.PROVIDER).build(passphrase) : null);
      return new GeneratedKey(gen.generateSecretKeyRing(), gen.generatePublicKeyRing());
    } catch (NoSuchAlgorithmException e) {
      throw new PGPException("RSA is not available", e);
    }
  }

  /** The key, unlocked, for signing. */
  public SigningKey signingKey(char[] passphrase) {
    return SigningKey.parse("key", "generated key", armoredSecret(), passphrase);
  }

  public byte[] armoredSecret() {
    return armor(out -> secret.encode(out));
  }

  public byte[] armoredPublic() {
    return armor(out -> publicRing.encode(out));
  }

  /** The binary public keyring ({@code gpg --export}), as a keyring tarball's keyring.gpg holds it. */
  public byte[] binaryPublic() {
    try {
      return publicRing.getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Encoder {
    void encode(ArmoredOutputStream out) throws IOException;
  }

  private static byte[] armor(Encoder encoder) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArmoredOutputStream out = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
      encoder.encode(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

}
