package dev.imagebuilder.apt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.IntegrityException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OpenPgpKeyringTest {
  static final byte[] PPA_ASC = Keys.bytes("test-ppa-key.asc");
  static final byte[] PPA_GPG = Keys.bytes("test-ppa-key.gpg");
  static final byte[] OTHER_ASC = Keys.bytes("other-key.asc");

  @Test
  void anArmoredKeyIsReadToTheBytesGpgExportsAndTheFingerprintGpgPrints() {
    OpenPgpKeyring key = OpenPgpKeyring.parse(PPA_ASC, "test key");

    assertThat(key.fingerprints()).containsExactly(Keys.PPA_FINGERPRINT);
    assertThat(key.packets()).isEqualTo(PPA_GPG);
  }

  @Test
  void aBinaryKeyIsTheSameKey() {
    assertThat(OpenPgpKeyring.parse(PPA_GPG, "test key"))
        .isEqualTo(OpenPgpKeyring.parse(PPA_ASC, "test key"))
        .hasSameHashCodeAs(OpenPgpKeyring.parse(PPA_ASC, "test key"));
  }

  @Test
  void everyKeyOfSeveralArmoredBlocksAndTextAroundThemIsRead() {
    byte[] page = ("<html><pre>\n" + new String(OTHER_ASC, StandardCharsets.US_ASCII) + "\n"
        + new String(PPA_ASC, StandardCharsets.US_ASCII) + "</pre></html>\n").getBytes(StandardCharsets.US_ASCII);

    OpenPgpKeyring keys = OpenPgpKeyring.parse(page, "a page");

    assertThat(keys.fingerprints()).containsExactly(Keys.OTHER_FINGERPRINT, Keys.PPA_FINGERPRINT);
  }

  @Test
  void onlyKeepsTheNamedPrimaryKeyWithItsOwnPackets() {
    byte[] other = OpenPgpKeyring.parse(OTHER_ASC, "other").packets();
    OpenPgpKeyring both = OpenPgpKeyring.parse(concat(other, PPA_GPG), "two keys");

    assertThat(both.fingerprints()).containsExactly(Keys.OTHER_FINGERPRINT, Keys.PPA_FINGERPRINT);
    assertThat(both.only(Keys.PPA_FINGERPRINT.toLowerCase())).hasValueSatisfying(
        k -> assertThat(k.packets()).isEqualTo(PPA_GPG));
    assertThat(both.only("0".repeat(40))).isEmpty();
  }

  @Test
  void aSecretKeyIsRefusedSayingWhatToGiveInstead() {
    assertThatThrownBy(() -> OpenPgpKeyring.parse(Keys.bytes("test-secret-key.asc"), "'secret.asc'"))
        .isInstanceOf(IntegrityException.class)
        .hasMessage("'secret.asc' holds a secret key; give the public key only"
            + " (gpg --export, not --export-secret-keys)");
  }

  @Test
  void dataThatIsNoKeyIsRefused() {
    assertThatThrownBy(() -> OpenPgpKeyring.parse("not a key".getBytes(StandardCharsets.US_ASCII), "'text'"))
        .isInstanceOf(IntegrityException.class).hasMessageStartingWith("'text' is not an OpenPGP public key");
    assertThatThrownBy(() -> OpenPgpKeyring.parse(new byte[0], "'empty'"))
        .isInstanceOf(IntegrityException.class).hasMessageStartingWith("'empty' is not an OpenPGP public key");
  }

  @Test
  void aTruncatedKeyIsRefused() {
    byte[] truncated = Arrays.copyOf(PPA_GPG, PPA_GPG.length / 2);
    assertThatThrownBy(() -> OpenPgpKeyring.parse(truncated, "'half'"))
        .isInstanceOf(IntegrityException.class).hasMessageStartingWith("'half' is not an OpenPGP public key");
  }

  @Test
  void anArmoredBlockWithoutItsEndIsRefused() {
    String asc = new String(PPA_ASC, StandardCharsets.US_ASCII);
    byte[] cut = asc.substring(0, asc.indexOf("-----END")).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> OpenPgpKeyring.parse(cut, "'cut'"))
        .isInstanceOf(IntegrityException.class).hasMessage("'cut' has no end to its armored key block");
  }

  @Test
  void aDamagedArmoredBodyIsRefused() {
    String asc = new String(PPA_ASC, StandardCharsets.US_ASCII);
    int body = asc.indexOf("\n\n") + 2;
    byte[] damaged = (asc.substring(0, body) + "!!!!" + asc.substring(body + 4)).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> OpenPgpKeyring.parse(damaged, "'damaged'"))
        .isInstanceOf(IntegrityException.class).hasMessageStartingWith("'damaged' is not an OpenPGP public key");
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
