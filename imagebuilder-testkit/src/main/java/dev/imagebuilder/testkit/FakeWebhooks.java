package dev.imagebuilder.testkit;

import dev.imagebuilder.testkit.internal.launchpad.WebhookHub;
import java.time.Duration;
import java.util.List;

/**
 * The webhooks of a {@link FakeLaunchpad}'s recipes ({@code oci-recipe:build:0.1}): what was
 * delivered where, and faults on the way. Deliveries are POSTed as Launchpad's are, signed with
 * the webhook's secret ({@code X-Hub-Signature: sha1=...}); a failed or dropped attempt is
 * retried on Launchpad's schedule, in units of {@link #retryUnit} (one minute by default).
 */
public final class FakeWebhooks {
  /**
   * One delivery attempt.
   *
   * @param outcome "delivered" (a 2xx), "dropped" (by {@link #dropNext}/{@link #dropEvery}),
   *     "Bad HTTP response: N" or "Connection error: ..."
   */
  public record Attempt(int deliveryId, String deliveryUrl, String action, String buildPath, String status,
      String registryUploadStatus, int attempt, String outcome) {}

  private final WebhookHub hub;

  FakeWebhooks(WebhookHub hub) {
    this.hub = hub;
  }

  /** Drops the next {@code attempts} delivery attempts, whichever deliveries they belong to. */
  public FakeWebhooks dropNext(int attempts) {
    hub.dropNext(attempts);
    return this;
  }

  /** Drops the first attempt of every {@code n}-th delivery from now on (0: none). */
  public FakeWebhooks dropEvery(int n) {
    hub.dropEvery(n);
    return this;
  }

  /** Launchpad retries after 1 unit, then 5, then 60 (a unit is a minute there). */
  public FakeWebhooks retryUnit(Duration unit) {
    hub.retryUnit(unit);
    return this;
  }

  /** Every attempt so far, in order. */
  public List<Attempt> attempts() {
    return hub.attempts().stream().map(a -> new Attempt(a.deliveryId(), a.deliveryUrl(), a.action(), a.buildPath(),
        a.status(), a.uploadStatus(), a.attempt(), a.outcome())).toList();
  }

  /** Webhooks that exist now (created and not deleted). */
  public int active() {
    return hub.activeHooks();
  }
}
