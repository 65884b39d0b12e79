package dev.imagebuilder.testkit.internal.launchpad;

/**
 * Who made an API request, once OAuth was checked: an anonymous caller (no token, or none at all
 * with a User-Agent) or the person an access token stands for.
 *
 * @param consumer the OAuth consumer key; null for a caller with no Authorization header
 * @param token the access token; null for an anonymous caller
 */
record Caller(String consumer, String token) {
  static Caller anonymous(String consumer) {
    return new Caller(consumer, null);
  }

  boolean anonymous() {
    return token == null;
  }
}
