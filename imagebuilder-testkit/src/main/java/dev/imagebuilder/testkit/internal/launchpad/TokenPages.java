package dev.imagebuilder.testkit.internal.launchpad;

import static dev.imagebuilder.testkit.internal.launchpad.Responses.html;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.json;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.text;
import static dev.imagebuilder.testkit.internal.launchpad.Responses.unauthorized;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;

/**
 * The OAuth token flow on the web root: {@code +request-token}, the {@code +authorize-token}
 * approval page, and {@code +access-token}.
 */
final class TokenPages {
  private final Tokens tokens;

  TokenPages(Tokens tokens) {
    this.tokens = tokens;
  }

  /** The page answering {@code req}; empty when its path is none of the token pages. */
  Optional<MockResponse.Builder> answer(ApiRequest req) {
    return switch (req.path()) {
      case "/+request-token" -> Optional.of(requestToken(req));
      case "/+authorize-token" -> Optional.of(authorizeToken(req));
      case "/+access-token" -> Optional.of(accessToken(req));
      default -> Optional.empty();
    };
  }

  private MockResponse.Builder requestToken(ApiRequest req) {
    if (!req.method().equals("POST")) {
      return text(405, "Method not allowed: " + req.method());
    }
    String consumer = req.form().getOrDefault("oauth_consumer_key", "");
    if (consumer.isEmpty()) {
      return unauthorized("No consumer key specified.");
    }
    if (!"PLAINTEXT".equals(req.form().get("oauth_signature_method"))) {
      return text(400, "Only the PLAINTEXT OAuth signature method is supported.");
    }
    if (!"&".equals(req.form().get("oauth_signature"))) {
      return unauthorized("Invalid signature.");
    }
    Tokens.Request token = tokens.newRequestToken(consumer);
    if (req.accept() != null && req.accept().contains(Responses.JSON)) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("oauth_token", token.token());
      body.put("oauth_token_secret", token.secret());
      body.put("oauth_token_consumer", consumer);
      List<Map<String, String>> levels = new ArrayList<>();
      for (String level : List.of("UNAUTHORIZED", "READ_PUBLIC", "WRITE_PUBLIC", "READ_PRIVATE", "WRITE_PRIVATE")) {
        levels.add(Map.of("value", level, "title", level.replace('_', ' ')));
      }
      body.put("access_levels", levels);
      return json(200, body);
    }
    return text(200, "oauth_token=" + token.token() + "&oauth_token_secret=" + token.secret());
  }

  /** The approval page: GET shows it, POST is the user's choice. */
  private MockResponse.Builder authorizeToken(ApiRequest req) {
    String token = req.method().equals("GET") ? req.url().queryParameter("oauth_token") : req.form().get("oauth_token");
    Optional<Tokens.Request> request = token == null ? Optional.empty() : tokens.requestToken(token);
    if (request.isEmpty()) {
      return text(404, "Unable to identify a request token for this request.");
    }
    if (req.method().equals("POST")) {
      boolean allow = req.form().keySet().stream()
          .anyMatch(k -> k.startsWith("field.actions.") && !k.equals("field.actions.UNAUTHORIZED"));
      tokens.review(token, allow);
      return html(allow ? "Almost finished: go back to the application." : "You declined the request.");
    }
    String form = "<form method=\"post\" action=\"+authorize-token\">"
        + "<input type=\"hidden\" name=\"oauth_token\" value=\"" + token + "\"/>"
        + "<input type=\"submit\" name=\"field.actions.WRITE_PUBLIC\" value=\"Change Anything\"/> "
        + "<input type=\"submit\" name=\"field.actions.UNAUTHORIZED\" value=\"No Thanks\"/></form>";
    return html("Authorize application " + request.get().consumer() + " to access Launchpad on your behalf (fake)."
        + form);
  }

  private MockResponse.Builder accessToken(ApiRequest req) {
    if (!req.method().equals("POST")) {
      return text(405, "Method not allowed: " + req.method());
    }
    String token = req.form().getOrDefault("oauth_token", "");
    Optional<Tokens.Request> found = tokens.requestToken(token);
    if (found.isEmpty()) {
      return unauthorized("No request token specified.");
    }
    Tokens.Request request = found.get();
    if (!request.consumer().equals(req.form().get("oauth_consumer_key"))
        || !("&" + request.secret()).equals(req.form().get("oauth_signature"))) {
      return unauthorized("Invalid signature.");
    }
    return switch (request.review()) {
      case PENDING -> unauthorized("Request token has not yet been reviewed. Try again later.");
      case DECLINED -> text(403, "End-user refused to authorize request token.");
      case APPROVED -> {
        Tokens.Access access = tokens.exchange(request);
        yield text(200, "oauth_token=" + access.token() + "&oauth_token_secret=" + access.secret() + "&lp.context=None");
      }
    };
  }
}
