package dev.imagebuilder.systemimage.internal.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.imagebuilder.api.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A signing key given inline in a form we cannot read must not come back in the message. */
class SigningKeySecrecyTest {
  @Test
  void keyMaterialThatIsNotAnArmouredKeyIsNeverEchoed() throws Exception {
    GeneratedKey key = GeneratedKey.generate("t <t@test.invalid>", 2048, 0, new char[0]);
    String armoured = new String(key.armoredSecret(), StandardCharsets.US_ASCII);
    String base64 = Base64.getMimeEncoder().encodeToString(key.armoredSecret());
    String withPreamble = "my key:\n" + armoured;
    for (String value : new String[] {base64, withPreamble}) {
      Throwable t = catchThrowable(() -> SigningKey.load("systemimage.signing-key", value, new char[0]));
      assertThat(t).isInstanceOf(InvalidRequestException.class);
      assertThat(t.getMessage()).contains("systemimage.signing-key").contains("not shown")
          .doesNotContain(base64.substring(0, 40)).doesNotContain(armoured.substring(40, 120));
    }
    // The armoured key itself still loads.
    assertThat(SigningKey.load("systemimage.signing-key", armoured, new char[0]).fingerprint())
        .hasSize(40);
  }
}
