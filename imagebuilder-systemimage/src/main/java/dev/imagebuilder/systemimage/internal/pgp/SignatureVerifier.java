package dev.imagebuilder.systemimage.internal.pgp;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.tukaani.xz.XZInputStream;

/** Checks detached signatures against a set of trusted public keys. */
public final class SignatureVerifier {
  private final PGPPublicKeyRingCollection keys;

  public SignatureVerifier(PGPPublicKeyRingCollection keys) {
    this.keys = keys;
  }

  /**
   * Loads trusted keys from an armoured or binary public keyring, or from a system-image keyring
   * tarball ({@code image-signing.tar.xz}, whose {@code keyring.gpg} holds the keys).
   */
  public static SignatureVerifier load(String field, Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (file.getFileName().toString().endsWith(".tar.xz")) {
        bytes = keyringFromTarball(bytes, file);
      }
      return fromBytes(bytes);
    } catch (IOException | PGPException | RuntimeException e) {
      throw new InvalidRequestException(field, "cannot read keyring " + file + ": " + e.getMessage());
    }
  }

  public static SignatureVerifier fromBytes(byte[] keyring) throws IOException, PGPException {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(keyring))) {
      return new SignatureVerifier(
          new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator()));
    }
  }

  private static byte[] keyringFromTarball(byte[] tarball, Path file) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new XZInputStream(new ByteArrayInputStream(tarball)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.getName().equals("keyring.gpg") || e.getName().equals("./keyring.gpg")) {
          return tar.readAllBytes();
        }
      }
    }
    throw new IOException(file + " has no keyring.gpg");
  }

  /**
   * Verifies that {@code signature} (armoured or binary) is a good signature of {@code data} by a
   * trusted key.
   *
   * @param what the file the signature is for, for messages
   */
  public void verify(InputStream data, byte[] signature, String what) throws IOException {
    PGPSignature sig = parse(signature, what);
    PGPPublicKey key;
    key = keys.getPublicKey(sig.getKeyID());
    if (key == null) {
      throw new IntegrityException("signature of " + what + " was made by key "
          + Long.toHexString(sig.getKeyID()).toUpperCase() + ", which the keyring does not trust");
    }
    try {
      sig.init(new JcaPGPContentVerifierBuilderProvider().setProvider(Pgp.PROVIDER), key);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = data.read(buf)) > 0) {
        sig.update(buf, 0, n);
      }
      if (!sig.verify()) {
        throw new IntegrityException("bad signature on " + what);
      }
    } catch (PGPException e) {
      throw new IntegrityException("cannot check the signature of " + what + ": " + e.getMessage());
    }
  }

  public void verify(Path file, byte[] signature, String what) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      verify(in, signature, what);
    }
  }

  public void verify(byte[] data, byte[] signature, String what) {
    try {
      verify(new ByteArrayInputStream(data), signature, what);
    } catch (IOException e) {
      throw new IntegrityException("cannot check the signature of " + what + ": " + e);
    }
  }

  private static PGPSignature parse(byte[] signature, String what) {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature))) {
      JcaPGPObjectFactory factory = new JcaPGPObjectFactory(in);
      Object o = factory.nextObject();
      if (o instanceof PGPCompressedData c) {
        o = new JcaPGPObjectFactory(c.getDataStream()).nextObject();
      }
      if (o instanceof PGPSignatureList list && !list.isEmpty()) {
        return list.get(0);
      }
    } catch (IOException | PGPException | RuntimeException e) {
      throw new IntegrityException("the signature of " + what + " is not an OpenPGP signature: "
          + e.getMessage());
    }
    throw new IntegrityException("the signature of " + what + " is not an OpenPGP signature");
  }
}
