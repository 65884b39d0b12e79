package dev.imagebuilder.testkit.internal.launchpad;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fake Launchpad web service: routes requests by path and {@code ws.op}, checks OAuth, serves
 * entries, collections, named operations, the WADL, the token pages and build logs, and applies
 * queued faults. Written from the protocol reference only.
 */
public final class LaunchpadDispatcher extends Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchpadDispatcher.class);
  private static final String JSON = "application/json";
  private static final String WADL = "application/vnd.sun.wadl+xml";
  private static final String CHALLENGE = "OAuth realm=\"https://api.launchpad.net\"";
  private static final int MAX_PAGE = 300;
  private static final int DEFAULT_PAGE = 50;
  private static final Pattern LOG_PATH = Pattern.compile("^(~[^/]+/[^/]+/\\+oci/[^/]+/\\+recipe/[^/]+)/\\+build/(\\d+)/\\+files/[^/]+$");

  private final World world;
  private final Tokens tokens;
  private final FaultInjector faults;
  private final List<Call> journal = new CopyOnWriteArrayList<>();

  private final WebhookHub webhooks;

  public LaunchpadDispatcher(World world, Tokens tokens, FaultInjector faults) {
    this(world, tokens, faults, null);
  }

  /** With {@code webhooks}: recipes take {@code newWebhook}, list and delete them (WebhookResource). */
  public LaunchpadDispatcher(World world, Tokens tokens, FaultInjector faults, WebhookHub webhooks) {
    this.world = world;
    this.tokens = tokens;
    this.faults = faults;
    this.webhooks = webhooks;
  }

  public List<Call> journal() {
    return List.copyOf(journal);
  }

  public void clearJournal() {
    journal.clear();
  }

  /** The request as the handlers see it. */
  private record Req(String method, String path, HttpUrl url, Map<String, String> form, String accept,
      String ifNoneMatch, String authorization, String userAgent, Roots roots) {
    String wsOp() {
      String op = method.equals("GET") ? url.queryParameter("ws.op") : form.get("ws.op");
      return op;
    }

    String param(String name) {
      return method.equals("GET") ? url.queryParameter(name) : form.get(name);
    }

    boolean write() {
      return !method.equals("GET") && !method.equals("HEAD");
    }
  }

  private static final class Answer {
    final MockResponse.Builder response;

    Answer(MockResponse.Builder response) {
      this.response = response;
    }
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Req req = parse(request);
    String op = req.wsOp();
    FaultInjector.Rule fault = faults.take(op);
    if (fault != null && fault.kind() != FaultInjector.Kind.RESET_AFTER && fault.kind() != FaultInjector.Kind.SLOW
        && fault.kind() != FaultInjector.Kind.HOLD) {
      MockResponse response = switch (fault.kind()) {
        case SERVICE_UNAVAILABLE -> text(503, "Service temporarily unavailable. Please try again later.")
            .setHeader("Retry-After", Math.max(0, fault.delay().toSeconds())).build();
        case SERVER_ERROR -> text(500, "An internal error occurred (OOPS).")
            .setHeader("X-Lazr-OopsId", "OOPS-" + HexFormat.of().formatHex(randomBytes())).build();
        default -> new MockResponse.Builder().code(200).onResponseStart(new SocketEffect.CloseSocket()).build();
      };
      record(req, op, response.getCode(), false, fault.kind().name(), false);
      return response;
    }
    Answer answer;
    boolean[] anonymous = {false};
    try {
      answer = handle(req, anonymous);
    } catch (ApiError e) {
      answer = new Answer(text(e.status, e.getMessage()));
      if (e.status == 401) {
        answer.response.setHeader("WWW-Authenticate", CHALLENGE);
      }
    } catch (RuntimeException e) {
      LOG.warn("fake Launchpad failed on {} {}", req.method(), req.path(), e);
      answer = new Answer(text(500, "An internal error occurred (OOPS): " + e)
          .setHeader("X-Lazr-OopsId", "OOPS-" + HexFormat.of().formatHex(randomBytes())));
    }
    MockResponse.Builder builder = answer.response;
    builder.status("HTTP/1.1 " + builder.getCode() + " " + reason(builder.getCode()));
    if (fault != null && fault.kind() == FaultInjector.Kind.RESET_AFTER) {
      builder.onResponseStart(new SocketEffect.CloseSocket());
    }
    if (fault != null && fault.kind() == FaultInjector.Kind.SLOW) {
      builder.headersDelay(fault.delay().toMillis(), TimeUnit.MILLISECONDS);
      if (fault.bytesPerSecond() > 0) {
        builder.throttleBody(Math.max(1, fault.bytesPerSecond() / 10), 100, TimeUnit.MILLISECONDS);
      }
    }
    MockResponse response = builder.build();
    record(req, op, response.getCode(), anonymous[0], fault == null ? null : fault.kind().name(), true);
    if (fault != null && fault.kind() == FaultInjector.Kind.HOLD) {
      fault.hold().hold(); // acted on and recorded; the answer waits for the test
    }
    return response;
  }

  private void record(Req req, String op, int status, boolean anonymous, String fault, boolean processed) {
    journal.add(new Call(req.method(), req.path(), op, status, anonymous, fault, processed));
    LOG.debug("{} {} ws.op={} -> {}{}", req.method(), req.path(), op, status, fault == null ? "" : " (fault " + fault + ")");
  }

  private Req parse(RecordedRequest request) {
    HttpUrl url = request.getUrl();
    Map<String, String> form = new LinkedHashMap<>();
    String contentType = request.getHeaders().get("Content-Type");
    if (request.getBody() != null && contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
      for (String pair : request.getBody().utf8().split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : pair.substring(eq + 1);
        form.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
      }
    }
    String host = request.getHeaders().get("Host");
    if (host == null || host.isBlank()) {
      host = url.host() + ":" + url.port();
    }
    String method = request.getMethod();
    String override = request.getHeaders().get("X-HTTP-Method-Override");
    if ("POST".equals(method) && override != null) {
      method = override.toUpperCase(java.util.Locale.ROOT);
    }
    return new Req(method, url.encodedPath(), url, form, request.getHeaders().get("Accept"),
        request.getHeaders().get("If-None-Match"), request.getHeaders().get("Authorization"),
        request.getHeaders().get("User-Agent"), Roots.forHost(url.scheme(), host));
  }

  // ---- routing -----------------------------------------------------------------------------

  /** Answers the request; sets {@code anonymous[0]} once the caller is known to be anonymous. */
  private Answer handle(Req req, boolean[] anonymousOut) {
    String path = req.path();
    if (path.equals("/+request-token")) {
      return new Answer(requestToken(req));
    }
    if (path.equals("/+authorize-token")) {
      return new Answer(authorizeToken(req));
    }
    if (path.equals("/+access-token")) {
      return new Answer(accessToken(req));
    }
    if (path.equals("/devel")) {
      return new Answer(new MockResponse.Builder().code(301).setHeader("Location", req.roots().api()));
    }
    if (!path.startsWith("/" + Roots.VERSION_PATH)) {
      return new Answer(webPage(req));
    }
    world.settle();
    boolean anonymous = authenticate(req);
    anonymousOut[0] = anonymous;
    if (anonymous && req.write()) {
      throw ApiError.unauthorized("(<" + path + ">, '" + req.wsOp() + "', 'launchpad.Edit')");
    }
    String rel = decode(path.substring(Roots.VERSION_PATH.length() + 1));
    return new Answer(api(req, rel, anonymous));
  }

  private MockResponse.Builder api(Req req, String rel, boolean anonymous) {
    Representations reps = new Representations(req.roots(), world);
    if (rel.isEmpty()) {
      if (req.accept() != null && req.accept().contains(WADL)) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", WADL)
            .body(WadlWriter.write(req.roots().api()));
      }
      return json(200, reps.serviceRoot());
    }
    String[] s = rel.endsWith("/") ? rel.substring(0, rel.length() - 1).split("/") : rel.split("/");
    if (rel.equals("people/+me")) {
      if (anonymous) {
        throw ApiError.unauthorized("You need to be logged in to view this URL.");
      }
      return new MockResponse.Builder().code(303).setHeader("Location", req.roots().api("~" + world.user()));
    }
    if (s[0].equals("+processors")) {
      return processors(req, reps, s);
    }
    if (s.length == 1 && s[0].startsWith("~")) {
      Person p = world.person(s[0].substring(1)).orElseThrow(() -> notFound(req, s[0]));
      return entry(req, reps.person(p), Schema.PERSON, null);
    }
    if (s.length == 3 && s[1].equals("+oci")) {
      OciProject p = world.ociProject(rel).orElseThrow(() -> notFound(req, s[2]));
      return entry(req, reps.ociProject(p), Schema.OCI_PROJECT, null);
    }
    if (s.length >= 6 && s[0].startsWith("~") && s[2].equals("+oci") && s[4].equals("+recipe")) {
      String recipePath = String.join("/", List.of(s).subList(0, 6));
      Recipe recipe = world.findRecipe(recipePath)
          .orElseThrow(() -> ApiError.notFound("No such OCI recipe exists for this OCI project"));
      return recipe(req, reps, recipe, List.of(s).subList(6, s.length));
    }
    throw notFound(req, s[s.length - 1]);
  }

  private MockResponse.Builder processors(Req req, Representations reps, String[] s) {
    if (s.length == 1) {
      String op = req.wsOp();
      if (op != null) {
        if (!op.equals("getByName") || !req.method().equals("GET")) {
          throw ApiError.badRequest("No such operation: " + op);
        }
        String name = stringParam(req, "name", true);
        Processor p = world.processor(name).orElseThrow(() -> ApiError.notFound("No such processor: '" + name + "'."));
        return json(200, reps.processor(p));
      }
      requireGet(req, null);
      List<Map<String, Object>> all = world.processors().stream().map(reps::processor).toList();
      return page(req, reps, "processor", "+processors", all);
    }
    if (s.length == 2) {
      Processor p = world.processor(s[1]).orElseThrow(() -> notFound(req, s[1]));
      return entry(req, reps.processor(p), Schema.PROCESSOR, null);
    }
    throw notFound(req, s[s.length - 1]);
  }

  private MockResponse.Builder recipe(Req req, Representations reps, Recipe recipe, List<String> rest) {
    if (rest.isEmpty()) {
      return entry(req, reps.recipe(recipe), Schema.OCI_RECIPE, op -> recipeOperation(req, recipe, op));
    }
    String first = rest.get(0);
    if (rest.size() == 1) {
      switch (first) {
        case "processors" -> {
          requireGet(req, req.wsOp());
          List<Map<String, Object>> all = world.recipeProcessors(recipe.path()).stream()
              .map(n -> reps.processor(world.processor(n).orElseThrow())).toList();
          return page(req, reps, "processor", recipe.path() + "/processors", all);
        }
        case "push_rules" -> {
          requireGet(req, req.wsOp());
          List<Map<String, Object>> all;
          synchronized (world) {
            all = recipe.pushRules.stream().map(r -> reps.pushRule(recipe, r)).toList();
          }
          return page(req, reps, "oci_push_rule", recipe.path() + "/push_rules", all);
        }
        case "webhooks" -> {
          requireGet(req, req.wsOp());
          requireEditor(recipe, "see the webhooks of");
          List<Map<String, Object>> all = webhooks == null ? List.of()
              : webhooks.of(recipe.path()).stream().map(h -> webhooks.representation(req.roots(), h)).toList();
          return page(req, reps, "webhook", recipe.path() + "/webhooks", all);
        }
        default -> throw notFound(req, first);
      }
    }
    int id = parseId(req, rest.get(1));
    switch (first) {
      case "+build-request" -> {
        BuildRequest q = world.buildRequest(recipe, id).orElseThrow(() -> notFound(req, rest.get(1)));
        if (rest.size() == 2) {
          Map<String, Object> rep;
          synchronized (world) {
            rep = reps.buildRequest(q);
          }
          return entry(req, rep, Schema.OCI_RECIPE_BUILD_REQUEST, null);
        }
        if (rest.size() == 3 && rest.get(2).equals("builds")) {
          requireGet(req, req.wsOp());
          List<Map<String, Object>> all;
          synchronized (world) {
            all = q.builds.stream().map(reps::build).toList();
          }
          return page(req, reps, "oci_recipe_build", q.path() + "/builds", all);
        }
        throw notFound(req, rest.get(rest.size() - 1));
      }
      case "+build" -> {
        Build b = world.build(recipe, id).orElseThrow(() -> notFound(req, rest.get(1)));
        if (rest.size() != 2) {
          throw notFound(req, rest.get(rest.size() - 1));
        }
        Map<String, Object> rep;
        synchronized (world) {
          rep = reps.build(b);
        }
        return entry(req, rep, Schema.OCI_RECIPE_BUILD, op -> buildOperation(req, b, op));
      }
      case "+webhook" -> {
        if (webhooks == null || rest.size() != 2) {
          throw notFound(req, rest.get(rest.size() - 1));
        }
        requireEditor(recipe, "manage the webhooks of");
        WebhookHub.Hook hook = webhooks.find(recipe.path(), id);
        if (hook == null) {
          throw notFound(req, rest.get(1));
        }
        if (req.method().equals("DELETE")) {
          webhooks.delete(id);
          return json(200, null);
        }
        requireGet(req, req.wsOp());
        return json(200, webhooks.representation(req.roots(), hook));
      }
      case "+push-rule" -> {
        PushRule rule = world.pushRule(recipe, id).orElseThrow(() -> notFound(req, rest.get(1)));
        if (rest.size() != 2) {
          throw notFound(req, rest.get(rest.size() - 1));
        }
        if (req.method().equals("DELETE")) {
          requireEditor(recipe, "delete push rules of");
          world.deletePushRule(recipe, rule);
          return json(200, null);
        }
        return entry(req, reps.pushRule(recipe, rule), Schema.OCI_PUSH_RULE, null);
      }
      default -> throw notFound(req, first);
    }
  }

  /** GET of an entry (with 304 on a matching If-None-Match), or one of its named operations. */
  private MockResponse.Builder entry(Req req, Map<String, Object> rep, Schema.EntryType type,
      Function<String, MockResponse.Builder> operations) {
    String op = req.wsOp();
    if (op == null) {
      if (req.method().equals("POST")) {
        throw ApiError.badRequest("No operation name given.");
      }
      if (!req.method().equals("GET")) {
        return text(405, "Method not allowed: " + req.method());
      }
      String etag = (String) rep.get("http_etag");
      if (etag != null && etag.equals(req.ifNoneMatch())) {
        return new MockResponse.Builder().code(304).setHeader("ETag", etag);
      }
      return json(200, rep).setHeader("ETag", etag);
    }
    boolean known = type.operations().stream().anyMatch(o -> o.name().equals(op) && o.method().equals(req.method()));
    if (!known || operations == null) {
      throw ApiError.badRequest("No such operation: " + op);
    }
    return operations.apply(op);
  }

  private MockResponse.Builder recipeOperation(Req req, Recipe recipe, String op) {
    switch (op) {
      case "requestBuilds" -> {
        requireEditor(recipe, "create OCI image builds owned by");
        BuildRequest q = world.requestBuilds(recipe);
        return new MockResponse.Builder().code(201).setHeader("Location", req.roots().api(q.path()));
      }
      case "setProcessors" -> {
        Object value = Json.decodeParameter(requiredRaw(req, "processors"));
        if (!(value instanceof List<?> list)) {
          throw ApiError.badRequest("processors: Value doesn't look like a list: " + value);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          Object item = list.get(i);
          String rel = item instanceof String url ? req.roots().relative(url) : null;
          String name = rel != null && rel.startsWith("+processors/") ? rel.substring("+processors/".length()) : null;
          if (name == null || world.processor(name).isEmpty()) {
            throw ApiError.badRequest("processors: item " + i + ": No such object \"" + item + "\".");
          }
          names.add(name);
        }
        requireEditor(recipe, "set the processors of OCI recipes owned by");
        world.setProcessors(recipe, names);
        return json(200, null);
      }
      case "newWebhook" -> {
        if (webhooks == null) {
          throw ApiError.badRequest("No such operation: " + op);
        }
        String url = stringParam(req, "delivery_url", true);
        Object types = Json.decodeParameter(requiredRaw(req, "event_types"));
        if (!(types instanceof List<?> list)) {
          throw ApiError.badRequest("event_types: Value doesn't look like a list: " + types);
        }
        Object active = req.param("active") == null ? Boolean.TRUE : Json.decodeParameter(req.param("active"));
        requireEditor(recipe, "create webhooks for OCI recipes owned by");
        int id = webhooks.create(recipe.path(), url, list.stream().map(String::valueOf).toList(),
            !Boolean.FALSE.equals(active), req.param("secret"));
        return new MockResponse.Builder().code(201)
            .setHeader("Location", req.roots().api(recipe.path() + "/+webhook/" + id));
      }
      case "newPushRule" -> {
        String registryUrl = stringParam(req, "registry_url", true);
        String imageName = stringParam(req, "image_name", true);
        Object credentials = Json.decodeParameter(requiredRaw(req, "credentials"));
        if (!(credentials instanceof Map<?, ?> map)) {
          throw ApiError.badRequest("credentials: Value doesn't look like a dictionary: " + credentials);
        }
        requireEditor(recipe, "create push rules for OCI recipes owned by");
        Object username = map.get("username");
        int id = world.newPushRule(recipe, registryUrl, imageName, username == null ? null : username.toString());
        return new MockResponse.Builder().code(201)
            .setHeader("Location", req.roots().api(recipe.path() + "/+push-rule/" + id));
      }
      default -> throw ApiError.badRequest("No such operation: " + op);
    }
  }

  private MockResponse.Builder buildOperation(Req req, Build build, String op) {
    switch (op) {
      case "getFileUrls" -> {
        List<String> urls = new ArrayList<>();
        synchronized (world) {
          if (build.buildstate.equals(Build.BUILT) || build.buildstate.equals(Build.SUPERSEDED)) {
            String files = req.roots().web(build.path() + "/+files/");
            urls.add(files + "manifest.json");
            urls.add(files + "digests.json");
            urls.add(files + "layer-" + build.id + ".tar.gz");
          }
        }
        return json(200, urls);
      }
      case "retry" -> {
        requireEditor(build.recipe, "retry builds of OCI recipes owned by");
        world.retry(build);
        return json(200, null);
      }
      case "cancel" -> {
        requireEditor(build.recipe, "cancel builds of OCI recipes owned by");
        world.cancel(build);
        return json(200, null);
      }
      case "scheduleRegistryUpload" -> {
        requireEditor(build.recipe, "upload builds of OCI recipes owned by");
        world.scheduleRegistryUpload(build);
        return json(200, null);
      }
      default -> throw ApiError.badRequest("No such operation: " + op);
    }
  }

  private MockResponse.Builder page(Req req, Representations reps, String type, String path, List<Map<String, Object>> all) {
    int start = intParam(req, "ws.start", 0);
    int size = intParam(req, "ws.size", DEFAULT_PAGE);
    if (size > MAX_PAGE) {
      throw ApiError.badRequest("Maximum for \"ws.size\" parameter is " + MAX_PAGE + ".");
    }
    if (size < 1 || start < 0) {
      throw ApiError.badRequest("Invalid value for \"" + (size < 1 ? "ws.size" : "ws.start") + "\" parameter.");
    }
    return json(200, reps.page(type, path, all, start, size));
  }

  // ---- authentication ------------------------------------------------------------------------

  /** Checks the OAuth header as Launchpad does; true for an anonymous caller. */
  private boolean authenticate(Req req) {
    String header = req.authorization();
    if (header == null) {
      if (req.userAgent() == null || req.userAgent().isBlank()) {
        throw ApiError.unauthorized("No consumer key specified.");
      }
      return true;
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
      return true;
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
    return false;
  }

  private void requireEditor(Recipe recipe, String what) {
    if (!world.canEdit(recipe, world.user())) {
      throw ApiError.unauthorized(world.user() + " cannot " + what + " " + recipe.owner + ".");
    }
  }

  // ---- token pages (web root) ----------------------------------------------------------------

  private MockResponse.Builder requestToken(Req req) {
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
    if (req.accept() != null && req.accept().contains(JSON)) {
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
  private MockResponse.Builder authorizeToken(Req req) {
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

  private MockResponse.Builder accessToken(Req req) {
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

  /** Non-API pages: build logs (as the librarian would serve them) and web links. */
  private MockResponse.Builder webPage(Req req) {
    String rel = decode(req.path().substring(1));
    Matcher m = LOG_PATH.matcher(rel);
    if (m.matches() && req.method().equals("GET")) {
      Optional<Build> build = world.findRecipe(m.group(1)).flatMap(r -> world.build(r, Integer.parseInt(m.group(2))));
      String logPath;
      String state;
      synchronized (world) {
        logPath = build.map(b -> b.buildLogUrlPath).orElse(null);
        state = build.map(b -> b.buildstate).orElse(null);
      }
      if (rel.equals(logPath)) {
        String log = "Fake build log of " + build.get().path() + "\nBuild finished: " + state + "\n";
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/octet-stream")
            .body(new Buffer().write(gzip(log)));
      }
    }
    return text(404, "Not found: /" + rel);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static void requireGet(Req req, String op) {
    if (op != null) {
      throw ApiError.badRequest("No such operation: " + op);
    }
    if (!req.method().equals("GET")) {
      throw new ApiError(405, "Method not allowed: " + req.method());
    }
  }

  private static String requiredRaw(Req req, String name) {
    String raw = req.param(name);
    if (raw == null) {
      throw ApiError.badRequest(name + ": Required input is missing.");
    }
    return raw;
  }

  private static String stringParam(Req req, String name, boolean required) {
    String raw = req.param(name);
    if (raw == null) {
      if (required) {
        throw ApiError.badRequest(name + ": Required input is missing.");
      }
      return null;
    }
    Object decoded = Json.decodeParameter(raw);
    return decoded instanceof String s ? s : raw;
  }

  private static int intParam(Req req, String name, int fallback) {
    String raw = req.url().queryParameter(name);
    if (raw == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("Invalid value for \"" + name + "\" parameter: " + raw);
    }
  }

  private static int parseId(Req req, String segment) {
    try {
      return Integer.parseInt(segment);
    } catch (NumberFormatException e) {
      throw notFound(req, segment);
    }
  }

  private static ApiError notFound(Req req, String name) {
    return ApiError.notFound("Object: " + req.roots().api() + ", name: '" + name + "'");
  }

  private static MockResponse.Builder json(int code, Object body) {
    // Exactly "application/json": launchpadlib's first factory operation fails on "; charset=...".
    return new MockResponse.Builder().code(code).setHeader("Content-Type", JSON).body(Json.write(body));
  }

  private static MockResponse.Builder text(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "text/plain").body(body);
  }

  private static MockResponse.Builder unauthorized(String body) {
    return text(401, body).setHeader("WWW-Authenticate", CHALLENGE);
  }

  private static MockResponse.Builder html(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html; charset=UTF-8")
        .body("<!DOCTYPE html><html><head><title>Fake Launchpad</title></head><body><p>" + body + "</p></body></html>");
  }

  private static String reason(int code) {
    return switch (code) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 301 -> "Moved Permanently";
      case 303 -> "See Other";
      case 304 -> "Not Modified";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  private static String decode(String path) {
    return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[4];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static byte[] gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
