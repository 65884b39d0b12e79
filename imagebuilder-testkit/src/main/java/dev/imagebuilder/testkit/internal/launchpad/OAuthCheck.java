package dev.imagebuilder.testkit.internal.launchpad;

import java.util.Map;

/**
 * Checks an API request's OAuth (PLAINTEXT) header as Launchpad does, answering failures with its
 * 400 and 401 texts.
 */
final class OAuthCheck {
  private final Tokens tokens;

  OAuthCheck(Tokens tokens) {
    this.tokens = tokens;
  }

  /** Who is calling; throws the {@link ApiError} Launchpad answers an unacceptable header with. */
  Caller caller(ApiRequest req) {
    String header = req.authorization();
    if (header == null) {
      if (req.userAgent() == null || req.userAgent().isBlank()) {
        throw ApiError.unauthorized("No consumer key specified.");
      }
      return Caller.anonymous(null);
    }
    Map<String, String> p = OAuthHeader.parse(header);
    if (p == null) {
      throw ApiError.unauthorized("Unsupported authorization scheme; use OAuth (PLAINTEXT).");
    }
    if (!"PLAINTEXT".equals(p.get("oauth_signature_method"))) {
      throw ApiError.badRequest("Only the PLAINTEXT OAuth signature method is supported.");
    }
    String consumer = p.getOrDefault("oauth_consumer_key", "");
    if (consumer.isEmpty()) {
      throw ApiError.unauthorized("No consumer key specified.");
    }
    String token = p.getOrDefault("oauth_token", "");
    String signature = p.getOrDefault("oauth_signature", "");
    if (token.isEmpty()) {
      if (!signature.equals("&")) {
        throw ApiError.unauthorized("Invalid signature.");
      }
      return Caller.anonymous(consumer);
    }
    Tokens.Access access = tokens.access(token)
        .filter(a -> a.consumer().equals(consumer))
        .orElseThrow(() -> ApiError.unauthorized("Unknown access token (" + token + ")."));
    if (access.expired()) {
      throw ApiError.unauthorized("Expired token (" + token + ").");
    }
    if (!signature.equals("&" + access.secret())) {
      throw ApiError.unauthorized("Invalid signature.");
    }
    return new Caller(consumer, token);
  }
}
