package dev.imagebuilder.apt.internal;

import dev.imagebuilder.api.IntegrityException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * OpenPGP public keys as apt takes them with {@code Signed-By}: one or more primary keys, each
 * with its user ids, signatures and subkeys. Read from armored or binary input with Bouncy
 * Castle; written as binary packets (what every apt since 1.1 reads from a {@code .gpg} keyring).
 *
 * <p>A class, not a record: a record would compare and hash the byte array by identity.
 */
public final class OpenPgpKeyring {
  private static final String ARMOR_BEGIN = "-----BEGIN PGP ";
  private static final String ARMOR_END = "-----END PGP ";

  private final List<PGPPublicKeyRing> rings;
  private final byte[] packets;

  private OpenPgpKeyring(List<PGPPublicKeyRing> rings) {
    this.rings = List.copyOf(rings);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (PGPPublicKeyRing ring : rings) {
        ring.encode(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    this.packets = out.toByteArray();
  }

  /**
   * Reads every public key in {@code data}: binary packets, or one or more armored blocks
   * (text around them, such as a keyserver's page, is ignored).
   *
   * @param origin where the data came from, for messages
   * @throws IntegrityException when it holds no public key, a secret key, or damaged packets
   */
  public static OpenPgpKeyring parse(byte[] data, String origin) {
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    List<byte[]> blocks = armoredBlocks(data, origin);
    for (byte[] block : blocks.isEmpty() ? List.of(data) : blocks) {
      readRings(block, origin, rings);
    }
    if (rings.isEmpty()) {
      throw new IntegrityException(origin + " is not an OpenPGP public key (it holds no key)");
    }
    return new OpenPgpKeyring(rings);
  }

  /** The primary keys' fingerprints, upper-case hex, in the order the keys were given. */
  public List<String> fingerprints() {
    return rings.stream().map(OpenPgpKeyring::fingerprintOf).toList();
  }

  /**
   * Only the key whose primary key has {@code fingerprint} (case and spaces ignored), with its
   * own user ids, signatures and subkeys: apt trusts every primary key of a {@code Signed-By}
   * keyring, so nothing else may ride along with the key that was checked.
   */
  public Optional<OpenPgpKeyring> only(String fingerprint) {
    String wanted = fingerprint.replace(" ", "").toUpperCase(Locale.ROOT);
    return rings.stream().filter(r -> fingerprintOf(r).equals(wanted)).findFirst()
        .map(r -> new OpenPgpKeyring(List.of(r)));
  }

  /** The binary key packets, as apt reads them from a {@code .gpg} keyring. */
  public byte[] packets() {
    return packets.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OpenPgpKeyring other && Arrays.equals(packets, other.packets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(packets);
  }

  @Override
  public String toString() {
    return "OpenPgpKeyring" + fingerprints();
  }

  private static String fingerprintOf(PGPPublicKeyRing ring) {
    return HexFormat.of().withUpperCase().formatHex(ring.getPublicKey().getFingerprint());
  }

  private static void readRings(byte[] block, String origin, List<PGPPublicKeyRing> into) {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(block))) {
      BcPGPObjectFactory objects = new BcPGPObjectFactory(in);
      for (Object o = objects.nextObject(); o != null; o = objects.nextObject()) {
        if (o instanceof PGPPublicKeyRing ring) {
          into.add(ring);
        } else if (o instanceof PGPSecretKeyRing) {
          throw new IntegrityException(origin
              + " holds a secret key; give the public key only (gpg --export, not --export-secret-keys)");
        } else if (!(o instanceof PGPMarker)) {
          throw new IntegrityException(origin + " is not an OpenPGP public key (it holds "
              + o.getClass().getSimpleName().replaceFirst("^PGP", "") + " packets)");
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IntegrityException integrity) {
        throw integrity;
      }
      // Bouncy Castle reports garbage and truncation alike, as IOException or runtime exceptions.
      throw new IntegrityException(origin + " is not an OpenPGP public key ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }
  }

  /** Each {@code -----BEGIN PGP ...} to {@code -----END PGP ...} block, or none for binary data. */
  private static List<byte[]> armoredBlocks(byte[] data, String origin) {
    // ISO-8859-1 maps every byte to one char, so binary data cannot break the search.
    String text = new String(data, StandardCharsets.ISO_8859_1);
    List<byte[]> blocks = new ArrayList<>();
    int begin = text.indexOf(ARMOR_BEGIN);
    if (begin < 0 || (data.length > 0 && (data[0] & 0x80) != 0)) {
      return blocks; // binary packets start with a tag byte whose high bit is set
    }
    while (begin >= 0) {
      int end = text.indexOf(ARMOR_END, begin);
      int endOfLine = end < 0 ? -1 : text.indexOf('\n', end);
      if (end < 0) {
        throw new IntegrityException(origin + " has no end to its armored key block");
      }
      int stop = endOfLine < 0 ? text.length() : endOfLine + 1;
      blocks.add(text.substring(begin, stop).getBytes(StandardCharsets.ISO_8859_1));
      begin = text.indexOf(ARMOR_BEGIN, stop);
    }
    return blocks;
  }
}
