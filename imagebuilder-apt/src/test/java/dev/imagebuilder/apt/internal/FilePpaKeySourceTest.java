package dev.imagebuilder.apt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePpaKeySourceTest {
  static final String FIELD = "imagebuilder.guestfs.ppa-key-file";
  static final Ppa PPA = Ppa.of("ppa:team/tools");

  @TempDir Path tmp;

  @Test
  void anArmoredOrBinaryKeyFileGivesTheSameKeyForEveryPpa() throws Exception {
    Path asc = Keys.file("test-ppa-key.asc", tmp.resolve("key.asc"));
    Path gpg = Keys.file("test-ppa-key.gpg", tmp.resolve("key.gpg"));

    OpenPgpKeyring fromAsc = new FilePpaKeySource(asc, FIELD).keyFor(PPA);
    assertThat(fromAsc.packets()).isEqualTo(Keys.bytes("test-ppa-key.gpg"));
    assertThat(new FilePpaKeySource(gpg, FIELD).keyFor(Ppa.of("ppa:someone/else"))).isEqualTo(fromAsc);
    assertThat(new FilePpaKeySource(asc, FIELD).describe()).isEqualTo("key file " + asc);
  }

  @Test
  void everyKeyOfTheOperatorsKeyringIsKept() throws Exception {
    Path both = Files.write(tmp.resolve("both.gpg"), OpenPgpKeyringTest.concat(
        Keys.bytes("test-ppa-key.gpg"), OpenPgpKeyring.parse(Keys.bytes("other-key.asc"), "o").packets()));

    assertThat(new FilePpaKeySource(both, FIELD).keyFor(PPA).fingerprints())
        .containsExactly(Keys.PPA_FINGERPRINT, Keys.OTHER_FINGERPRINT);
  }

  @Test
  void aFileThatIsMissingOrNoPublicKeyIsAConfigurationErrorNamingTheKey() throws Exception {
    Path absent = tmp.resolve("absent.asc");
    assertThatThrownBy(() -> new FilePpaKeySource(absent, FIELD).keyFor(PPA))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(FIELD + ": '" + absent + "' does not exist");

    Path secret = Keys.file("test-secret-key.asc", tmp.resolve("secret.asc"));
    assertThatThrownBy(() -> new FilePpaKeySource(secret, FIELD).keyFor(PPA))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo(FIELD))
        .hasMessageContaining("'" + secret + "' holds a secret key");

    Path text = Files.writeString(tmp.resolve("text.asc"), "not a key");
    assertThatThrownBy(() -> new FilePpaKeySource(text, FIELD).keyFor(PPA))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith(FIELD + ": '" + text + "' is not an OpenPGP public key");

    assertThatThrownBy(() -> new FilePpaKeySource(tmp, FIELD).keyFor(PPA))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith(FIELD + ": '" + tmp + "' cannot be read");
  }
}
