package dev.imagebuilder.systemimage.internal.pgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.openpgp.PGPException;

/**
 * Creates the system-image key chain as the server's {@code generate-keys} and
 * {@code generate-keyrings} do: archive-master (root of trust, self-signed keyring),
 * image-master (signed by archive-master), image-signing (signed by image-master; key and
 * keyring expire after two years) and optionally device-signing (signed by image-signing; keyring
 * expires after 31 days). Layout written under the output directory:
 * <pre>
 * secret/&lt;name&gt;.asc          armoured secret keys, mode 0600
 * public/&lt;name&gt;.asc          armoured public keys
 * gpg/&lt;name&gt;.tar.xz(.asc)    keyring tarballs as the protocol publishes them under /gpg/
 * </pre>
 */
public final class KeyChain {
  private static final long TWO_YEARS = Duration.ofDays(730).toSeconds();

  private KeyChain() {}

  /** One key of the chain: its name, its signer, and lifetimes. */
  private record Spec(String name, String signer, long keyExpiry, Duration keyringExpiry) {}

  public static List<Path> create(Path out, String owner, String email, int bits,
      boolean deviceSigning, char[] passphrase) throws IOException, PGPException {
    List<Spec> specs = new ArrayList<>(List.of(
        new Spec("archive-master", null, 0, null),
        new Spec("image-master", "archive-master", 0, null),
        new Spec("image-signing", "image-master", TWO_YEARS, Duration.ofDays(730))));
    if (deviceSigning) {
      specs.add(new Spec("device-signing", "image-signing", TWO_YEARS, Duration.ofDays(31)));
    }
    Path secret = out.resolve("secret");
    Path pub = out.resolve("public");
    Path gpg = out.resolve("gpg");
    Files.createDirectories(pub);
    Files.createDirectories(gpg);
    Files.createDirectories(secret);
    try {
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system; the files are still written
    }
    java.util.Map<String, SigningKey> signers = new java.util.HashMap<>();
    List<Path> written = new ArrayList<>();
    for (Spec spec : specs) {
      String uid = owner + " (" + spec.name() + ") <" + email + ">";
      GeneratedKey key = GeneratedKey.generate(uid, bits, spec.keyExpiry(), passphrase);
      Path secretFile = secret.resolve(spec.name() + ".asc");
      Files.deleteIfExists(secretFile);
      Files.createFile(secretFile, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      Files.write(secretFile, key.armoredSecret());
      Files.write(pub.resolve(spec.name() + ".asc"), key.armoredPublic());
      SigningKey self = key.signingKey(passphrase);
      signers.put(spec.name(), self);
      Path keyring = gpg.resolve(spec.name() + ".tar.xz");
      Instant expiry = spec.keyringExpiry() == null ? null : Instant.now().plus(spec.keyringExpiry());
      KeyringTarball.write(keyring, spec.name(), key.binaryPublic(), expiry, null);
      SigningKey signer = spec.signer() == null ? self : signers.get(spec.signer());
      signer.signFile(keyring);
      written.add(secretFile);
      written.add(keyring);
    }
    return written;
  }
}
