package dev.imagebuilder.testkit.internal.launchpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class OAuthCheckTest {
  private final Tokens tokens = new Tokens();
  private final OAuthCheck check = new OAuthCheck(tokens);

  @Test
  void noHeaderButAUserAgentIsAnAnonymousCaller() {
    Caller caller = check.caller(request(null, "launchpadlib"));

    assertThat(caller.anonymous()).isTrue();
    assertThat(caller.consumer()).isNull();
  }

  @Test
  void noHeaderAndNoUserAgentIsRefused() {
    assertApiError(() -> check.caller(request(null, null)), 401, "No consumer key specified.");
  }

  @Test
  void anEmptyTokenSignedWithAnAmpersandIsAnonymousWithItsConsumer() {
    Caller caller = check.caller(request(oauth("app", "", "&"), "ua"));

    assertThat(caller).isEqualTo(Caller.anonymous("app"));
    assertThat(caller.anonymous()).isTrue();
  }

  @Test
  void aValidAccessTokenIsThePersonItStandsFor() {
    String[] issued = tokens.issue("app");

    Caller caller = check.caller(request(oauth("app", issued[1], "&" + issued[2]), "ua"));

    assertThat(caller).isEqualTo(new Caller("app", issued[1]));
    assertThat(caller.anonymous()).isFalse();
  }

  @Test
  void badHeadersAreAnsweredInLaunchpadsWords() {
    String[] issued = tokens.issue("app");

    assertApiError(() -> check.caller(request(oauth("app", issued[1], "&wrong"), "ua")), 401, "Invalid signature.");
    assertApiError(() -> check.caller(request(oauth("other", issued[1], "&" + issued[2]), "ua")), 401,
        "Unknown access token (" + issued[1] + ").");
    assertApiError(() -> check.caller(request("Basic Zm9vOmJhcg==", "ua")), 401,
        "Unsupported authorization scheme; use OAuth (PLAINTEXT).");
    assertApiError(() -> check.caller(request(
        "OAuth oauth_consumer_key=\"app\", oauth_signature_method=\"HMAC-SHA1\"", "ua")), 400,
        "Only the PLAINTEXT OAuth signature method is supported.");
    tokens.expireCurrent();
    assertApiError(() -> check.caller(request(oauth("app", issued[1], "&" + issued[2]), "ua")), 401,
        "Expired token (" + issued[1] + ").");
  }

  private static void assertApiError(Runnable call, int status, String text) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiError.class, e -> {
      assertThat(e.status).isEqualTo(status);
      assertThat(e).hasMessage(text);
    });
  }

  private static String oauth(String consumer, String token, String signature) {
    return "OAuth realm=\"https://api.launchpad.net/\", oauth_consumer_key=\"" + consumer
        + "\", oauth_token=\"" + token + "\", oauth_signature_method=\"PLAINTEXT\", oauth_signature=\""
        + signature.replace("&", "%26") + "\"";
  }

  private static ApiRequest request(String authorization, String userAgent) {
    HttpUrl url = HttpUrl.get("http://127.0.0.1:8080/devel/");
    return new ApiRequest("GET", url.encodedPath(), url, Map.of(), null, null, authorization, userAgent,
        Roots.forHost("http", "127.0.0.1:8080"));
  }
}
