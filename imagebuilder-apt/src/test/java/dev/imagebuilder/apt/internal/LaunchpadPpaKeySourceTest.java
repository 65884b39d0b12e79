package dev.imagebuilder.apt.internal;

import static dev.imagebuilder.apt.internal.OpenPgpKeyringTest.OTHER_ASC;
import static dev.imagebuilder.apt.internal.OpenPgpKeyringTest.PPA_ASC;
import static dev.imagebuilder.apt.internal.OpenPgpKeyringTest.PPA_GPG;
import static dev.imagebuilder.apt.internal.OpenPgpKeyringTest.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imagebuilder.api.IntegrityException;
import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.api.Ppa;
import dev.imagebuilder.api.RemoteServiceException;
import dev.imagebuilder.testkit.PlainHttpService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PPA keys as add-apt-repository finds them: Launchpad's fingerprint, then the keyserver. */
class LaunchpadPpaKeySourceTest {
  static final Ppa DEADSNAKES = Ppa.of("ppa:deadsnakes/ppa");
  static final String ARCHIVE = "/devel/~deadsnakes/+archive/ubuntu/ppa";
  static final String LOOKUP = "/pks/lookup?op=get&options=mr&search=0x" + Keys.PPA_FINGERPRINT;

  final FakePpaServers fake = new FakePpaServers();
  final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(fake);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  LaunchpadPpaKeySource source() {
    return new LaunchpadPpaKeySource(new PlainHttpService(), server.url("/devel").uri(),
        KeyserverLookup.parse("keyserver", server.url("/").toString()), Duration.ofSeconds(10));
  }

  FakePpaServers deadsnakes() {
    return fake.archive("deadsnakes", "ubuntu", "ppa", "\"" + Keys.PPA_FINGERPRINT + "\"");
  }

  @Test
  void fetchesTheKeyWhoseFingerprintLaunchpadPublishes() {
    deadsnakes().key(Keys.PPA_FINGERPRINT, PPA_ASC);

    OpenPgpKeyring key = source().keyFor(DEADSNAKES);

    assertThat(key.fingerprints()).containsExactly(Keys.PPA_FINGERPRINT);
    assertThat(key.packets()).isEqualTo(PPA_GPG);
    assertThat(fake.requests).extracting(RecordedRequest::getTarget).containsExactly(ARCHIVE, LOOKUP);
    assertThat(fake.requests.get(0).getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(fake.requests.get(1).getHeaders().get("Accept")).isEqualTo("application/pgp-keys");
  }

  @Test
  void aBinaryKeyserverAnswerAndALowerCaseFingerprintAreAccepted() {
    fake.archive("deadsnakes", "ubuntu", "ppa", "\"" + Keys.PPA_FINGERPRINT.toLowerCase() + "\"")
        .key(Keys.PPA_FINGERPRINT, PPA_GPG);

    assertThat(source().keyFor(DEADSNAKES).packets()).isEqualTo(PPA_GPG);
  }

  @Test
  void aKeyserverAnswerWithAnotherKeyIsRefused() {
    deadsnakes().key(Keys.PPA_FINGERPRINT, OTHER_ASC);

    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOf(IntegrityException.class)
        .hasMessage("the keyserver returned key " + Keys.OTHER_FINGERPRINT + " for ppa:deadsnakes/ppa,"
            + " whose signing key is " + Keys.PPA_FINGERPRINT + " according to Launchpad");
  }

  @Test
  void aSecondKeyAppendedToTheAnswerIsDropped() {
    byte[] other = OpenPgpKeyring.parse(OTHER_ASC, "other").packets();
    deadsnakes().key(Keys.PPA_FINGERPRINT, concat(PPA_GPG, other));

    assertThat(source().keyFor(DEADSNAKES).packets()).isEqualTo(PPA_GPG);
  }

  @Test
  void theRightKeyIsKeptWhereverItIsInTheAnswer() {
    // Regression: the cloud backend took the first key and failed when it was another.
    byte[] answer = (new String(OTHER_ASC, StandardCharsets.US_ASCII)
        + new String(PPA_ASC, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
    deadsnakes().key(Keys.PPA_FINGERPRINT, answer);

    assertThat(source().keyFor(DEADSNAKES).packets()).isEqualTo(PPA_GPG);
  }

  @Test
  void aPpaLaunchpadDoesNotKnowIsNamedAsABadRequest() {
    assertThatThrownBy(() -> source().keyFor(Ppa.of("ppa:nobody/nothing")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("ppas: 'ppa:nobody/nothing' does not exist on Launchpad");
    assertThat(fake.requests).hasSize(1);
  }

  @Test
  void aPpaWithoutASigningKeyYetIsNamed() {
    fake.archive("owner", "ubuntu", "fresh", "null");

    assertThatThrownBy(() -> source().keyFor(Ppa.of("ppa:owner/fresh")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("ppas: 'ppa:owner/fresh' has no signing key yet"
            + " (Launchpad creates it when the PPA first publishes)");
  }

  @Test
  void aPpaOfAnotherDistributionIsLookedUpUnderIt() {
    fake.archive("owner", "debian", "tools", "\"" + Keys.PPA_FINGERPRINT + "\"").key(Keys.PPA_FINGERPRINT, PPA_ASC);

    assertThat(source().keyFor(Ppa.of("owner/debian/tools")).fingerprints()).containsExactly(Keys.PPA_FINGERPRINT);
    assertThat(fake.requests.get(0).getTarget()).isEqualTo("/devel/~owner/+archive/debian/tools");
  }

  @Test
  void aLaunchpadErrorIsARemoteServiceErrorWithItsStatusAndText() {
    fake.fault(ARCHIVE, FakePpaServers.text(503, "our database being temporarily offline"));

    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOfSatisfying(RemoteServiceException.class, e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.serverText()).isEqualTo("our database being temporarily offline");
        });
  }

  @Test
  void anAnswerThatIsNotJsonIsARemoteServiceError() {
    fake.fault(ARCHIVE, new MockResponse.Builder().code(200).body("<html>captive portal</html>").build());

    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOf(RemoteServiceException.class)
        .hasMessageContaining("GET " + server.url(ARCHIVE))
        .hasMessageContaining("the answer is not JSON");
    fake.fault(ARCHIVE, new MockResponse.Builder().code(200).body("[]").build());
    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOf(RemoteServiceException.class).hasMessageContaining("the answer is not an archive entry");
  }

  @Test
  void aFingerprintThatIsNotFortyHexDigitsIsARemoteServiceError() {
    fake.archive("deadsnakes", "ubuntu", "ppa", "\"ABCD\"");

    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOf(RemoteServiceException.class)
        .hasMessageContaining("signing_key_fingerprint \"ABCD\" is not a fingerprint of 40 hex digits");
  }

  @Test
  void aKeyTheKeyserverDoesNotHaveIsNamed() {
    deadsnakes();

    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOfSatisfying(RemoteServiceException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessageContaining("the keyserver has no key " + Keys.PPA_FINGERPRINT + " for ppa:deadsnakes/ppa");
  }

  @Test
  void aKeyserverAnswerThatHoldsNoKeyIsAnIntegrityError() {
    deadsnakes().key(Keys.PPA_FINGERPRINT, "<html>Rate limited</html>".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOf(IntegrityException.class)
        .hasMessageStartingWith("the keyserver's answer for ppa:deadsnakes/ppa is not an OpenPGP public key");
  }

  @Test
  void anAnswerLargerThanAnyKeyIsRefusedWithoutReadingItAll() {
    deadsnakes().key(Keys.PPA_FINGERPRINT, new byte[LaunchpadPpaKeySource.MAX_ANSWER_BYTES + 4096]);

    assertThatThrownBy(() -> source().keyFor(DEADSNAKES))
        .isInstanceOf(RemoteServiceException.class)
        .hasMessageContaining("larger than " + LaunchpadPpaKeySource.MAX_ANSWER_BYTES + " bytes");
  }

  @Test
  void aKeyserverTemplateIsUsedAsItIs() {
    deadsnakes().key(Keys.PPA_FINGERPRINT, PPA_ASC);
    LaunchpadPpaKeySource source = new LaunchpadPpaKeySource(new PlainHttpService(), server.url("/devel/").uri(),
        KeyserverLookup.parse("keyserver", server.url("/").toString()
            + "pks/lookup?op=get&search=0x{fingerprint}"), Duration.ofSeconds(10));

    assertThat(source.keyFor(DEADSNAKES).fingerprints()).containsExactly(Keys.PPA_FINGERPRINT);
    assertThat(fake.requests.get(1).getTarget()).isEqualTo("/pks/lookup?op=get&search=0x" + Keys.PPA_FINGERPRINT);
    assertThat(source.describe()).isEqualTo("Launchpad " + server.url("/devel/") + " and keyserver "
        + server.url("/") + "pks/lookup?op=get&search=0x{fingerprint}");
  }
}
