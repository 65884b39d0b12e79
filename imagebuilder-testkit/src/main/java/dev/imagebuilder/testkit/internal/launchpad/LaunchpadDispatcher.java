package dev.imagebuilder.testkit.internal.launchpad;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fake Launchpad web service, written from the protocol reference only: parses a request,
 * applies a queued fault, routes it (token pages, build logs, or the API after the OAuth check) and
 * records it in the journal. The answers come from {@link TokenPages}, {@link BuildLogPages} and
 * {@link WebService} with its resources; {@link FaultApplier} turns queued faults into effects.
 */
public final class LaunchpadDispatcher extends Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchpadDispatcher.class);

  private final World world;
  private final FaultApplier faults;
  private final OAuthCheck oauth;
  private final TokenPages tokenPages;
  private final BuildLogPages webPages;
  private final WebService api;
  private final List<Call> journal = new CopyOnWriteArrayList<>();

  public LaunchpadDispatcher(World world, Tokens tokens, FaultInjector faults) {
    this(world, tokens, faults, null);
  }

  /** With {@code webhooks}: recipes take {@code newWebhook}, list and delete them. */
  public LaunchpadDispatcher(World world, Tokens tokens, FaultInjector faults, WebhookHub webhooks) {
    this(world, tokens, faults, webhooks, Entries.MAX_PAGE);
  }

  /** With collections served in pages of at most {@code batchSize} entries, whatever {@code ws.size} asks. */
  public LaunchpadDispatcher(World world, Tokens tokens, FaultInjector faults, WebhookHub webhooks, int batchSize) {
    this.world = world;
    this.faults = new FaultApplier(faults);
    this.oauth = new OAuthCheck(tokens);
    this.tokenPages = new TokenPages(tokens);
    this.webPages = new BuildLogPages(world);
    this.api = new WebService(world, webhooks, batchSize);
  }

  public List<Call> journal() {
    return List.copyOf(journal);
  }

  public void clearJournal() {
    journal.clear();
  }

  /** An answer and who asked for it (null when the caller was not established). */
  private record Routed(MockResponse.Builder response, Caller caller) {
    boolean anonymous() {
      return caller != null && caller.anonymous();
    }
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    ApiRequest req = ApiRequest.parse(request);
    String op = req.wsOp();
    FaultApplier.Fault fault = faults.take(op, apiPath(req.path()));
    Optional<MockResponse> instead = fault.instead();
    if (instead.isPresent()) {
      record(req, op, instead.get().getCode(), false, fault.name(), false);
      return instead.get();
    }
    Routed routed = route(req);
    MockResponse response = fault.shape(Responses.withStatusLine(routed.response())).build();
    record(req, op, response.getCode(), routed.anonymous(), fault.name(), true);
    fault.answered(); // a held answer waits for the test, the request acted on and recorded
    return response;
  }

  /** The decoded path below the service root, as faults name it; null for the token and web pages. */
  private static String apiPath(String path) {
    String prefix = "/" + Roots.VERSION_PATH;
    return path.startsWith(prefix) ? ApiRequest.decode(path.substring(prefix.length())) : null;
  }

  private Routed route(ApiRequest req) {
    Caller caller = null;
    try {
      Optional<MockResponse.Builder> tokenPage = tokenPages.answer(req);
      if (tokenPage.isPresent()) {
        return new Routed(tokenPage.get(), null);
      }
      String path = req.path();
      if (path.equals("/devel")) {
        return new Routed(Responses.redirect(301, req.roots().api()), null);
      }
      if (!path.startsWith("/" + Roots.VERSION_PATH)) {
        return new Routed(webPages.answer(req), null);
      }
      world.settle();
      caller = oauth.caller(req);
      if (caller.anonymous() && req.write()) {
        throw ApiError.unauthorized("(<" + path + ">, '" + req.wsOp() + "', 'launchpad.Edit')");
      }
      String rel = ApiRequest.decode(path.substring(Roots.VERSION_PATH.length() + 1));
      return new Routed(api.answer(req, rel, caller), caller);
    } catch (ApiError e) {
      return new Routed(Responses.error(e), caller);
    } catch (RuntimeException e) {
      LOG.warn("fake Launchpad failed on {} {}", req.method(), req.path(), e);
      return new Routed(Responses.oops("An internal error occurred (OOPS): " + e), caller);
    }
  }

  private void record(ApiRequest req, String op, int status, boolean anonymous, String fault, boolean processed) {
    journal.add(new Call(req.method(), req.path(), op, status, anonymous, fault, processed));
    LOG.debug("{} {} ws.op={} -> {}{}", req.method(), req.path(), op, status, fault == null ? "" : " (fault " + fault + ")");
  }
}
