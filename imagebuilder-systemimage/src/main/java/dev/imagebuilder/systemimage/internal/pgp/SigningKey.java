package dev.imagebuilder.systemimage.internal.pgp;

import dev.imagebuilder.api.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;

/**
 * An unlocked OpenPGP signing key that makes detached, ASCII-armoured signatures (the
 * {@code .asc} files of a system-image tree). {@link #toString()} shows the fingerprint only.
 */
public final class SigningKey {
  private static final String ARMOR_START = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

  private final PGPPrivateKey privateKey;
  private final PGPPublicKey publicKey;

  SigningKey(PGPPrivateKey privateKey, PGPPublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /**
   * Loads a key from {@code source}: either a path to an armoured (or binary) secret key file, or
   * the armoured key itself (so it can come from an environment variable).
   *
   * @param field the configuration key, for messages
   */
  public static SigningKey load(String field, String source, char[] passphrase) {
    byte[] bytes;
    String where;
    if (source.strip().startsWith(ARMOR_START)) {
      bytes = source.getBytes(StandardCharsets.US_ASCII);
      where = "the armoured key given in " + field;
    } else if (source.strip().contains("\n") || source.contains("BEGIN PGP") || source.length() > 4096) {
      // Key material, not a path (a base64 blob, an armour with text before it): never echo it.
      throw new InvalidRequestException(field, "is neither a readable key file nor an armoured"
          + " secret key starting with " + ARMOR_START + " (the value is not shown)");
    } else {
      Path path;
      try {
        path = Path.of(source.strip());
      } catch (java.nio.file.InvalidPathException e) {
        throw new InvalidRequestException(field, "is not a key file path (the value is not shown)");
      }
      where = "secret key file " + path;
      try {
        bytes = Files.readAllBytes(path);
      } catch (IOException e) {
        throw new InvalidRequestException(field, "cannot read " + where + ": " + e);
      }
    }
    return parse(field, where, bytes, passphrase);
  }

  public static SigningKey parse(String field, String where, byte[] bytes, char[] passphrase) {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
      PGPSecretKeyRingCollection rings =
          new PGPSecretKeyRingCollection(in, new JcaKeyFingerprintCalculator());
      for (Iterator<PGPSecretKeyRing> r = rings.getKeyRings(); r.hasNext(); ) {
        for (Iterator<PGPSecretKey> k = r.next().getSecretKeys(); k.hasNext(); ) {
          PGPSecretKey key = k.next();
          if (key.isSigningKey() && !key.isPrivateKeyEmpty()) {
            return new SigningKey(unlock(field, where, key, passphrase), key.getPublicKey());
          }
        }
      }
    } catch (IOException | PGPException e) {
      throw new InvalidRequestException(field, where + " is not an OpenPGP secret key: "
          + e.getMessage());
    }
    throw new InvalidRequestException(field, where + " holds no secret key that can sign");
  }

  private static PGPPrivateKey unlock(String field, String where, PGPSecretKey key, char[] pass) {
    try {
      return key.extractPrivateKey(new JcePBESecretKeyDecryptorBuilder(
              new JcaPGPDigestCalculatorProviderBuilder().setProvider(Pgp.PROVIDER).build())
          .setProvider(Pgp.PROVIDER).build(pass == null ? new char[0] : pass));
    } catch (PGPException e) {
      // Never echo the passphrase; say only that it did not open the key.
      throw new InvalidRequestException(field, "cannot unlock " + where
          + " (wrong or missing passphrase?)");
    }
  }

  /** The detached, armoured signature of {@code data}. */
  public byte[] sign(InputStream data) throws IOException {
    try {
      PGPSignatureGenerator gen = new PGPSignatureGenerator(
          new JcaPGPContentSignerBuilder(publicKey.getAlgorithm(), HashAlgorithmTags.SHA512)
              .setProvider(Pgp.PROVIDER), publicKey);
      gen.init(PGPSignature.BINARY_DOCUMENT, privateKey);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = data.read(buf)) > 0) {
        gen.update(buf, 0, n);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().build(out)) {
        gen.generate().encode(armored);
      }
      return out.toByteArray();
    } catch (PGPException e) {
      throw new IOException("signing failed: " + e.getMessage(), e);
    }
  }

  public byte[] sign(byte[] data) {
    try {
      return sign(new ByteArrayInputStream(data));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Signs {@code file} into {@code file.asc} (written whole, then moved into place). */
  public Path signFile(Path file) throws IOException {
    Path asc = file.resolveSibling(file.getFileName() + ".asc");
    byte[] signature;
    try (InputStream in = Files.newInputStream(file)) {
      signature = sign(in);
    }
    AtomicFiles.write(asc, signature);
    return asc;
  }

  public PGPPublicKey publicKey() {
    return publicKey;
  }

  public String fingerprint() {
    StringBuilder sb = new StringBuilder();
    for (byte b : publicKey.getFingerprint()) {
      sb.append(String.format(Locale.ROOT, "%02X", b));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "SigningKey[" + fingerprint() + "]";
  }
}
