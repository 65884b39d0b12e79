package dev.imagebuilder.guestfs.internal;

import dev.imagebuilder.api.IntegrityException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * An OpenPGP public key (RFC 4880) as apt takes it with {@code Signed-By}: binary packets, the
 * form every apt since 1.1 reads from a {@code .gpg} keyring file. Armored input is dearmored
 * here; the primary key's v4 fingerprint is computed so that a key fetched from a keyserver can
 * be checked against the fingerprint Launchpad publishes for the archive.
 *
 * <p>A class, not a record: a record would compare and hash the byte array by identity.
 */
public final class OpenPgpKey {
  private static final int TAG_SECRET_KEY = 5;
  private static final int TAG_PUBLIC_KEY = 6;
  // Any armored block: a secret key given by mistake is then named as such.
  private static final String ARMOR_BEGIN = "-----BEGIN PGP ";
  private static final String ARMOR_END = "-----END PGP ";

  private final byte[] packets;
  private final String fingerprint;

  private OpenPgpKey(byte[] packets, String fingerprint) {
    this.packets = packets.clone();
    this.fingerprint = fingerprint;
  }

  /** The binary key packets, as apt reads them from a {@code .gpg} keyring. */
  public byte[] packets() {
    return packets.clone();
  }

  /** The primary key's v4 fingerprint, upper-case hex. */
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OpenPgpKey other && java.util.Arrays.equals(packets, other.packets);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(packets);
  }

  @Override
  public String toString() {
    return "OpenPgpKey[" + fingerprint + "]";
  }

  /**
   * Reads a public key, armored or binary.
   *
   * @param origin where it came from, for messages
   * @throws IntegrityException when it is not a v4 OpenPGP public key
   */
  public static OpenPgpKey parse(byte[] data, String origin) {
    byte[] binary = isArmored(data) ? dearmor(data, origin) : data;
    if (binary.length < 2 || (binary[0] & 0x80) == 0) {
      throw new IntegrityException(origin + " is not an OpenPGP public key");
    }
    int first = binary[0] & 0xff;
    boolean newFormat = (first & 0x40) != 0;
    int tag = newFormat ? first & 0x3f : (first >> 2) & 0x0f;
    if (tag == TAG_SECRET_KEY) {
      throw new IntegrityException(origin
          + " holds a secret key; give the public key only (gpg --export, not --export-secret-keys)");
    }
    if (tag != TAG_PUBLIC_KEY) {
      throw new IntegrityException(origin + " is not an OpenPGP public key (first packet has tag " + tag + ")");
    }
    int[] header = newFormat ? newFormatLength(binary) : oldFormatLength(binary);
    int offset = header[0];
    int length = header[1];
    if (length < 1 || offset + length > binary.length) {
      throw new IntegrityException(origin + " is a truncated OpenPGP key");
    }
    if (binary[offset] != 4) {
      throw new IntegrityException(origin + " is a version " + binary[offset]
          + " OpenPGP key; only version 4 keys (what Launchpad and apt use) are supported");
    }
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
    // RFC 4880 section 12.2: the v4 fingerprint hashes 0x99, a two-octet length, then the body.
    sha1.update((byte) 0x99);
    sha1.update((byte) (length >> 8));
    sha1.update((byte) length);
    sha1.update(binary, offset, length);
    String fingerprint = HexFormat.of().withUpperCase().formatHex(sha1.digest());
    // Only this key's packets: apt trusts every primary key of a Signed-By keyring, so a second
    // key appended to the answer must not ride along with the one whose fingerprint was checked.
    return new OpenPgpKey(java.util.Arrays.copyOf(binary, endOfFirstKey(binary, offset + length, origin)),
        fingerprint);
  }

  /** Where the packets after the first primary key's own (user ids, signatures, subkeys) end. */
  private static int endOfFirstKey(byte[] binary, int from, String origin) {
    int at = from;
    while (at < binary.length) {
      int first = binary[at] & 0xff;
      if ((first & 0x80) == 0) {
        throw new IntegrityException(origin + " has a damaged packet after its key");
      }
      boolean newFormat = (first & 0x40) != 0;
      int tag = newFormat ? first & 0x3f : (first >> 2) & 0x0f;
      if (tag == TAG_PUBLIC_KEY || tag == TAG_SECRET_KEY) {
        return at;
      }
      byte[] rest = java.util.Arrays.copyOfRange(binary, at, Math.min(binary.length, at + 6));
      int[] header = newFormat ? newFormatLength(rest) : oldFormatLength(rest);
      if (header[1] < 0 || (long) at + header[0] + header[1] > binary.length) {
        throw new IntegrityException(origin + " has a truncated packet after its key");
      }
      at += header[0] + header[1];
    }
    return at;
  }

  /** True when the fingerprint is {@code expected}, ignoring case, spaces and a {@code 0x}. */
  public boolean hasFingerprint(String expected) {
    String e = expected.replace(" ", "").toUpperCase(Locale.ROOT);
    if (e.startsWith("0X")) {
      e = e.substring(2);
    }
    return fingerprint.equals(e);
  }

  private static boolean isArmored(byte[] data) {
    String head = new String(data, 0, Math.min(data.length, 4096), StandardCharsets.US_ASCII);
    return head.contains(ARMOR_BEGIN);
  }

  private static byte[] dearmor(byte[] data, String origin) {
    String text = new String(data, StandardCharsets.US_ASCII).replace("\r", "");
    int begin = text.indexOf(ARMOR_BEGIN);
    int headerEnd = text.indexOf('\n', begin);
    int end = text.indexOf(ARMOR_END, begin);
    if (headerEnd < 0 || end < headerEnd) {
      throw new IntegrityException(origin + " has no end of its armored key block");
    }
    String[] lines = text.substring(headerEnd + 1, end).split("\n");
    ByteArrayOutputStream base64 = new ByteArrayOutputStream();
    boolean inBody = false;
    for (String line : lines) {
      String l = line.strip();
      if (!inBody) {
        // Armor headers ("Comment: ...") run until the first blank line.
        if (l.isEmpty()) {
          inBody = true;
        }
        if (l.isEmpty() || l.contains(": ")) {
          continue;
        }
        inBody = true; // no headers and no blank line: tolerated, as gpg does
      }
      if (l.startsWith("=")) {
        break; // the CRC-24 line; the fingerprint check is the stronger test
      }
      base64.writeBytes(l.getBytes(StandardCharsets.US_ASCII));
    }
    try {
      return Base64.getDecoder().decode(base64.toByteArray());
    } catch (IllegalArgumentException e) {
      throw new IntegrityException(origin + " has a damaged armored key block: " + e.getMessage());
    }
  }

  private static int[] newFormatLength(byte[] b) {
    int l1 = b[1] & 0xff;
    if (l1 < 192) {
      return new int[] {2, l1};
    }
    if (l1 < 224) {
      return new int[] {3, ((l1 - 192) << 8) + (b[2] & 0xff) + 192};
    }
    if (l1 == 255) {
      return new int[] {6, readInt(b, 2)};
    }
    return new int[] {0, -1}; // partial lengths are not allowed for key packets
  }

  private static int[] oldFormatLength(byte[] b) {
    return switch (b[0] & 0x03) {
      case 0 -> new int[] {2, b[1] & 0xff};
      case 1 -> new int[] {3, ((b[1] & 0xff) << 8) | (b[2] & 0xff)};
      case 2 -> new int[] {5, readInt(b, 1)};
      default -> new int[] {0, -1};
    };
  }

  private static int readInt(byte[] b, int at) {
    if (at + 4 > b.length) {
      return -1;
    }
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }
}
