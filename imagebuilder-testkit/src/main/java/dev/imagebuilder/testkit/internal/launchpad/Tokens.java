package dev.imagebuilder.testkit.internal.launchpad;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OAuth tokens: access tokens for the fake's user, and request tokens going through the
 * {@code +request-token}, {@code +authorize-token}, {@code +access-token} pages.
 */
public final class Tokens {
  /** An access token and whether it still works. */
  record Access(String token, String secret, String consumer, boolean expired) {}

  /** A request token's review state. */
  enum Review { PENDING, APPROVED, DECLINED }

  record Request(String token, String secret, String consumer, Review review) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final Map<String, Access> access = new HashMap<>();
  private final Map<String, Request> requests = new HashMap<>();
  private Access current;
  private boolean autoApprove;

  public synchronized String[] issue(String consumer) {
    Access a = new Access(random(20), random(80), consumer, false);
    access.put(a.token(), a);
    current = a;
    return new String[] {a.consumer(), a.token(), a.secret()};
  }

  public synchronized String[] current() {
    return new String[] {current.consumer(), current.token(), current.secret()};
  }

  public synchronized void expireCurrent() {
    current = new Access(current.token(), current.secret(), current.consumer(), true);
    access.put(current.token(), current);
  }

  public synchronized void autoApprove(boolean on) { autoApprove = on; }

  synchronized Optional<Access> access(String token) {
    return Optional.ofNullable(access.get(token));
  }

  synchronized Request newRequestToken(String consumer) {
    Request r = new Request(random(20), random(80), consumer, autoApprove ? Review.APPROVED : Review.PENDING);
    requests.put(r.token(), r);
    return r;
  }

  synchronized Optional<Request> requestToken(String token) {
    return Optional.ofNullable(requests.get(token));
  }

  public synchronized int review(boolean approve) {
    int n = 0;
    for (Request r : requests.values().stream().toList()) {
      if (r.review() == Review.PENDING) {
        requests.put(r.token(), new Request(r.token(), r.secret(), r.consumer(), approve ? Review.APPROVED : Review.DECLINED));
        n++;
      }
    }
    return n;
  }

  synchronized void review(String token, boolean approve) {
    Request r = requests.get(token);
    if (r != null && r.review() == Review.PENDING) {
      requests.put(token, new Request(r.token(), r.secret(), r.consumer(), approve ? Review.APPROVED : Review.DECLINED));
    }
  }

  /** Exchanges an approved request token for a new access token (once). */
  synchronized Access exchange(Request r) {
    requests.remove(r.token());
    Access a = new Access(random(20), random(80), r.consumer(), false);
    access.put(a.token(), a);
    return a;
  }

  private static String random(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
