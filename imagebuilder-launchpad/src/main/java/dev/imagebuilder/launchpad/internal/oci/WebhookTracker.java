package dev.imagebuilder.launchpad.internal.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagebuilder.api.TargetState;
import dev.imagebuilder.api.TargetStatus;
import dev.imagebuilder.launchpad.internal.client.LaunchpadClient;
import dev.imagebuilder.launchpad.internal.webhook.WebhookDelivery;
import dev.imagebuilder.launchpad.internal.webhook.WebhookReceiver;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhooks first, polling as the backstop (issue #16 item 2): for the duration of a run, its
 * recipe has a webhook ({@code oci-recipe:build:0.1}, a random secret known only to this
 * process) whose deliveries drive the run's targets; the run's reads then come at the longest
 * interval, only to cover lost deliveries. Each creation and deletion is recorded in the ticket
 * before it is sent and its answer after. A delivery about a build the run has not read yet
 * (its request just completed: Launchpad sends no event for the request) or one reporting a
 * failure (whose details the payload lacks) makes the run read its builds at the next cycle.
 * A resumed job does not know the secrets (they are never recorded): it deletes the webhooks
 * its ticket names and polls.
 */
final class WebhookTracker {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookTracker.class);

  private final LaunchpadClient client;
  private final JobBook book;
  private final WebhookReceiver receiver;
  private final Map<RecipeRun, WebhookReceiver.Subscription> subscriptions = new ConcurrentHashMap<>();
  /**
   * Runs whose webhook this process is deleting (a DELETE, or the lookup for a webhook whose
   * creation got no answer, not answered yet). Guarded by the book's lock. The end of the build
   * removes every webhook the ticket names; one already on its way is not sent again.
   */
  private final Set<RecipeRun> deleting = new HashSet<>();

  /** {@code receiver} is {@code null} when webhooks are off. */
  WebhookTracker(LaunchpadClient client, JobBook book, WebhookReceiver receiver) {
    this.client = client;
    this.book = book;
    this.receiver = receiver;
  }

  boolean enabled() {
    return receiver != null;
  }

  /** Subscribes {@code run} and marks its webhook CREATING; the caller records it. Holds the lock. */
  void prepare(RecipeRun run) {
    WebhookReceiver.Subscription s = receiver.subscribe(book.context.buildId() + "-" + run.id, d -> delivered(run, d));
    subscriptions.put(run, s);
    run.webhookDelivery = s.deliveryUrl();
    run.webhookState = RecipeRun.WebhookState.CREATING;
  }

  /** Sends newWebhook for {@code run}, recorded as CREATING by the caller. */
  CompletableFuture<Void> create(RecipeRun run) {
    WebhookReceiver.Subscription s = subscriptions.get(run);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("delivery_url", s.deliveryUrl().toString());
    params.put("event_types", List.of(WebhookReceiver.EVENT_TYPE));
    params.put("active", true);
    params.put("secret", s.secret());
    return client.postFactory(run.recipe, "newWebhook", params).handle((location, failure) -> {
      synchronized (book) {
        if (failure == null) {
          run.webhook = location;
          run.webhookState = RecipeRun.WebhookState.ACTIVE;
          LOG.info("webhook {} delivers the builds of {} to {}", location, run.recipe, s.deliveryUrl());
        } else {
          Throwable t = LaunchpadClient.unwrap(failure);
          // Polling carries on; a webhook that may exist is looked for and deleted at the end.
          LOG.warn("no webhook for {} ({}): polling only", run.recipe, t.getMessage());
          if (LaunchpadClient.certainlyNotSent(t) || LaunchpadFailures.isStatus(t, 400)
              || LaunchpadFailures.isStatus(t, 401) || LaunchpadFailures.isStatus(t, 403)) {
            run.webhookState = RecipeRun.WebhookState.NONE;
            subscriptions.remove(run).close();
          }
          run.nextPollAt = null; // no deliveries to wait for: read at the next cycle
        }
        checkpointQuietly();
        if (!run.open() || book.ended()) {
          remove(run);
        }
      }
      return null;
    });
  }

  /** A verified delivery about one of {@code run}'s builds. */
  private void delivered(RecipeRun run, WebhookDelivery d) {
    synchronized (book) {
      if (book.ended() || d.status() == null) {
        return;
      }
      Target t = run.targets.values().stream()
          .filter(x -> x.build != null && x.build.getPath().endsWith(d.buildPath())).findFirst().orElse(null);
      if (t == null) {
        boolean unwanted = run.cancelledUnwanted.stream().anyMatch(u -> u.getPath().endsWith(d.buildPath()));
        if (!unwanted) {
          run.nextPollAt = null; // a build not read yet: the request just completed
        }
        return;
      }
      BuildStateMapping.Observed o = BuildStateMapping.map(payload(d), run.publishes());
      boolean needsDetails = o.state().isTerminal() && o.state() != TargetState.SUCCEEDED
          || o.state() == TargetState.FAILED_TO_PUBLISH || (o.state() == TargetState.PUBLISHING
              && "Unscheduled".equals(d.uploadStatus()));
      if (needsDetails) {
        run.nextPollAt = null; // the builds read has the error details, links and the upload retry
        return;
      }
      if (t.status.state().isTerminal() || t.staleForUpload(book.clock.instant())) {
        return; // deliveries may come late or twice: a finished target stays finished
      }
      Map<String, String> outputs = new LinkedHashMap<>(t.status.outputs());
      if (o.published() != null) {
        outputs.put("published", o.published().toString());
      }
      TargetStatus next = t.status.withState(o.state(), o.rawState()).withOutputs(outputs);
      book.report(t, next);
      if (!run.open()) {
        remove(run);
      }
    }
  }

  private static JsonNode payload(WebhookDelivery d) {
    com.fasterxml.jackson.databind.node.ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    n.put("buildstate", d.status());
    if (d.uploadStatus() != null) {
      n.put("registry_upload_status", d.uploadStatus());
    }
    return n;
  }

  /** Deletes the webhook of {@code run} if it has one (recorded first). Holds the lock. */
  void remove(RecipeRun run) {
    remove(run, false);
  }

  /**
   * As {@link #remove(RecipeRun)}; {@code recorded} also sends again a DELETE or looks for a
   * webhook an earlier process left unfinished (its ticket says DELETING or CREATING).
   */
  private void remove(RecipeRun run, boolean recorded) {
    WebhookReceiver.Subscription s = subscriptions.remove(run);
    if (s != null) {
      s.close();
    }
    if (deleting.contains(run)) {
      return;
    }
    if (run.webhookState == RecipeRun.WebhookState.ACTIVE
        || (recorded && run.webhookState == RecipeRun.WebhookState.DELETING)) {
      URI hook = run.webhook;
      run.webhookState = RecipeRun.WebhookState.DELETING;
      checkpointQuietly();
      deleting.add(run);
      client.delete(hook).whenComplete((v, failure) -> {
        synchronized (book) {
          deleting.remove(run);
          if (failure == null || LaunchpadFailures.isStatus(LaunchpadClient.unwrap(failure), 404)) {
            run.webhookState = RecipeRun.WebhookState.DELETED;
            checkpointQuietly();
          } else {
            LOG.warn("could not delete webhook {}: {}", hook, LaunchpadClient.unwrap(failure).getMessage());
          }
        }
      });
    } else if (recorded && run.webhookState == RecipeRun.WebhookState.CREATING && run.webhookDelivery != null) {
      deleteByUrl(run, run.webhookDelivery);
    }
  }

  /** Deletes every webhook its ticket names, for a resumed or cancelled job. Holds the lock. */
  void removeAll() {
    for (RecipeRun run : book.runs()) {
      remove(run, !subscriptions.containsKey(run));
    }
  }

  /** A newWebhook with no answer: the recipe's webhooks with this run's delivery URL are ours. */
  private void deleteByUrl(RecipeRun run, URI url) {
    deleting.add(run);
    client.collection(URI.create(run.recipe + "/webhooks")).thenAccept(hooks -> {
      List<CompletableFuture<?>> calls = new ArrayList<>();
      for (JsonNode h : hooks) {
        if (url.toString().equals(h.path("delivery_url").asText())) {
          calls.add(client.delete(URI.create(h.path("self_link").asText())));
        }
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
      synchronized (book) {
        run.webhookState = RecipeRun.WebhookState.DELETED;
        checkpointQuietly();
      }
    }).exceptionally(e -> {
      LOG.warn("could not look for the webhook of {}: {}", run.recipe, LaunchpadClient.unwrap(e).getMessage());
      return null;
    }).whenComplete((v, e) -> {
      synchronized (book) {
        deleting.remove(run);
      }
    });
  }

  /**
   * Records the webhook's state; after the build ended (its last target reported) a journal may
   * refuse, and deleting a webhook is harmless to repeat, so that does not stop the call.
   */
  private void checkpointQuietly() {
    try {
      book.checkpoint();
    } catch (RuntimeException e) {
      LOG.debug("webhook state not recorded: {}", e.toString());
    }
  }
}
