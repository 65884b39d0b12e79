package dev.imagebuilder.launchpad.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A scripted stand-in for the few Launchpad resources the OCI backend's unit tests need (recipes,
 * processors, push rules, build requests, builds and their operations), written from
 * {@code launchpad-api.md}. Each read of a build request's builds collection advances every build
 * one step along its script ("buildstate / registry_upload_status").
 */
public final class MiniLaunchpad extends Dispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final MockWebServer server = new MockWebServer();
  public final List<String> log = new CopyOnWriteArrayList<>();
  private final Map<String, Recipe> recipes = new ConcurrentHashMap<>();
  private final Map<String, Request> requests = new ConcurrentHashMap<>();
  private final Map<String, Build> builds = new ConcurrentHashMap<>();
  private int nextId = 1;
  /** Per architecture, the steps a new build goes through. */
  public final Map<String, List<String>> scripts = new ConcurrentHashMap<>();
  /** Steps an upload goes through after scheduleRegistryUpload. */
  public List<String> uploadRetryScript = List.of("Successfully built / Pending", "Successfully built / Uploaded");
  /** Build request status texts and errors: when set, requests fail with this message. */
  public volatile String failRequestsWith;
  /** Answers to give instead, by "METHOD path ws.op" prefix, consumed in order. */
  public final Map<String, Deque<MockResponse>> overrides = new ConcurrentHashMap<>();
  public volatile int pageSize = 300;
  /** Steps a build goes through after retry. */
  public volatile List<String> retryScript = HAPPY;

  public static final List<String> HAPPY = List.of(
      "Needs building / Unscheduled", "Currently building / Unscheduled",
      "Successfully built / Pending", "Successfully built / Uploaded");

  public MiniLaunchpad() throws java.io.IOException {
    server.setDispatcher(this);
    server.start(java.net.InetAddress.getLoopbackAddress(), 0);
  }

  public String root() {
    return server.url("/devel/").toString();
  }

  public String url(String path) {
    return root() + path;
  }

  public void recipe(String path, List<String> processors, int pushRules) {
    recipes.put("/devel/" + path, new Recipe(path, new ArrayList<>(processors), pushRules));
  }

  public List<String> processorsOf(String path) {
    return List.copyOf(recipes.get("/devel/" + path).processors);
  }

  public synchronized List<Build> builds() {
    return new ArrayList<>(builds.values());
  }

  public long count(String prefix) {
    return log.stream().filter(l -> l.startsWith(prefix)).count();
  }

  public void override(String key, MockResponse... responses) {
    overrides.computeIfAbsent(key, k -> new ArrayDeque<>()).addAll(List.of(responses));
  }

  @Override
  public synchronized MockResponse dispatch(RecordedRequest r) {
    String path = r.getUrl().encodedPath();
    Map<String, String> params = new HashMap<>();
    String query = r.getUrl().encodedQuery();
    if (query != null) {
      parse(query, params);
    }
    if ("POST".equals(r.getMethod()) && r.getBody() != null) {
      parse(r.getBody().utf8(), params);
    }
    String op = params.getOrDefault("ws.op", "");
    String line = r.getMethod() + " " + path + (op.isEmpty() ? "" : " " + op);
    log.add(line + (params.containsKey("processors") ? " " + params.get("processors") : ""));
    for (Map.Entry<String, Deque<MockResponse>> o : overrides.entrySet()) {
      if (line.startsWith(o.getKey()) && !o.getValue().isEmpty()) {
        return o.getValue().poll();
      }
    }
    String auth = r.getHeaders().get("Authorization");
    if (auth != null && auth.contains("oauth_token=\"expired\"")) {
      return text(401, "Expired token (expired).");
    }
    if (r.getMethod().equals("POST") && auth == null) {
      return text(401, "Anonymous access is read-only.");
    }
    try {
      return route(r.getMethod(), path, op, params);
    } catch (RuntimeException e) {
      return text(500, "fake failed: " + e);
    }
  }

  private MockResponse route(String method, String path, String op, Map<String, String> params) {
    if (path.endsWith("/processors") && recipes.containsKey(path.substring(0, path.length() - 11))) {
      Recipe rec = recipes.get(path.substring(0, path.length() - 11));
      List<Object> entries = new ArrayList<>();
      rec.processors.forEach(p -> entries.add(Map.of("name", p, "self_link", url("+processors/" + p))));
      return page(entries, params, path);
    }
    if (path.endsWith("/push-rules") && recipes.containsKey(path.substring(0, path.length() - 11))) {
      Recipe rec = recipes.get(path.substring(0, path.length() - 11));
      return json(200, Map.of("start", 0, "total_size", rec.pushRules, "entries", List.of()));
    }
    if (recipes.containsKey(path)) {
      Recipe rec = recipes.get(path);
      if (method.equals("GET")) {
        return json(200, rec.json(this));
      }
      if (op.equals("requestBuilds")) {
        String id = String.valueOf(nextId++);
        Request req = new Request(rec, path + "/+build-request/" + id);
        requests.put(req.path, req);
        return new MockResponse.Builder().code(201).setHeader("Location", server.url(req.path).toString()).build();
      }
      if (op.equals("setProcessors")) {
        return text(400, "setProcessors is not used by this client");
      }
      return text(400, "No such operation: " + op);
    }
    if (path.endsWith("/builds") && requests.containsKey(path.substring(0, path.length() - 7))) {
      Request req = requests.get(path.substring(0, path.length() - 7));
      List<Object> entries = new ArrayList<>();
      for (Build b : req.builds) {
        entries.add(b.json(this));
        b.advance();
      }
      return page(entries, params, path);
    }
    if (requests.containsKey(path)) {
      Request req = requests.get(path);
      if (req.status.equals("Pending")) {
        if (failRequestsWith != null) {
          req.status = "Failed";
          req.error = failRequestsWith;
        } else {
          req.status = "Completed";
          for (String arch : req.recipe.processors) {
            Build b = new Build("/devel/" + req.recipe.path + "/+build/" + nextId++, arch, req.path,
                new ArrayDeque<>(scripts.getOrDefault(arch, HAPPY)));
            builds.put(b.path, b);
            req.builds.add(b);
          }
        }
        return json(200, req.json(this, "Pending"));
      }
      return json(200, req.json(this, req.status));
    }
    Build b = builds.get(path);
    if (b != null) {
      if (method.equals("GET")) {
        return json(200, b.json(this));
      }
      switch (op) {
        case "cancel" -> {
          if (b.buildstate.equals("Needs building") || b.buildstate.equals("Currently building")) {
            b.set("Cancelled build / Unscheduled");
            b.script.clear();
          }
          return json(200, null);
        }
        case "retry" -> {
          if (!b.canBeRetried()) {
            return text(400, "Build cannot be retried");
          }
          b.script.clear();
          b.script.addAll(retryScript);
          b.advance();
          return json(200, null);
        }
        case "scheduleRegistryUpload" -> {
          if (b.upload.equals("Pending")) {
            return text(400, "An upload of this build is already in progress.");
          }
          if (b.upload.equals("Uploaded")) {
            return text(400, "Cannot upload this build because it has already been uploaded.");
          }
          b.script.clear();
          b.script.addAll(uploadRetryScript);
          b.advance();
          return json(200, null);
        }
        default -> {
          return text(400, "No such operation: " + op);
        }
      }
    }
    return text(404, "Object: " + path + ", name: not found");
  }

  private MockResponse page(List<Object> entries, Map<String, String> params, String path) {
    int size = Math.min(Integer.parseInt(params.getOrDefault("ws.size", "50")), pageSize);
    int start = Integer.parseInt(params.getOrDefault("ws.start", "0"));
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("start", start);
    page.put("total_size", entries.size());
    page.put("entries", entries.subList(Math.min(start, entries.size()), Math.min(start + size, entries.size())));
    if (start + size < entries.size()) {
      page.put("next_collection_link", server.url(path) + "?ws.size=" + size + "&ws.start=" + (start + size));
    }
    return json(200, page);
  }

  private static void parse(String form, Map<String, String> out) {
    for (String part : form.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
  }

  static MockResponse json(int code, Object body) {
    try {
      return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
          .body(JSON.writeValueAsString(body)).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static MockResponse text(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "text/plain").body(body).build();
  }

  public void close() {
    server.close();
  }

  record Recipe(String path, List<String> processors, int pushRules) {
    Map<String, Object> json(MiniLaunchpad lp) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("self_link", lp.url(path));
      m.put("web_link", "https://launchpad.test/" + path);
      m.put("name", path.substring(path.lastIndexOf('/') + 1));
      m.put("processors_collection_link", lp.url(path + "/processors"));
      m.put("push_rules_collection_link", lp.url(path + "/push-rules"));
      return m;
    }
  }

  static final class Request {
    final Recipe recipe;
    final String path;
    final List<Build> builds = Collections.synchronizedList(new ArrayList<>());
    String status = "Pending";
    String error;

    Request(Recipe recipe, String path) {
      this.recipe = recipe;
      this.path = path;
    }

    Map<String, Object> json(MiniLaunchpad lp, String shownStatus) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("self_link", lp.server.url(path).toString());
      m.put("status", shownStatus);
      m.put("error_message", error);
      m.put("builds_collection_link", lp.server.url(path + "/builds").toString());
      return m;
    }
  }

  /** One build and its remaining script. */
  public static final class Build {
    public final String path;
    public final String arch;
    public final String request;
    final Deque<String> script;
    public String buildstate = "Needs building";
    public String upload = "Unscheduled";
    public String uploadError;

    Build(String path, String arch, String request, Deque<String> script) {
      this.path = path;
      this.arch = arch;
      this.request = request;
      this.script = script;
      advance();
    }

    void advance() {
      if (!script.isEmpty()) {
        set(script.poll());
      }
    }

    void set(String step) {
      String[] parts = step.split(" / ");
      buildstate = parts[0];
      upload = parts[1];
      uploadError = upload.equals("Failed to upload") ? "registry refused: 401 unauthorized" : null;
    }

    boolean canBeRetried() {
      return List.of("Failed to build", "Dependency wait", "Chroot problem", "Failed to upload", "Cancelled build")
          .contains(buildstate);
    }

    Map<String, Object> json(MiniLaunchpad lp) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("self_link", lp.server.url(path).toString());
      m.put("web_link", "https://launchpad.test" + path.substring(6));
      m.put("arch_tag", arch);
      m.put("buildstate", buildstate);
      m.put("registry_upload_status", upload);
      m.put("registry_upload_error_summary", uploadError);
      m.put("registry_upload_errors", uploadError == null ? List.of() : List.of(Map.of("code", "UNAUTHORIZED", "message", "authentication required")));
      m.put("build_log_url", buildstate.equals("Needs building") ? null : "https://librarian.test" + path + "/buildlog.txt.gz");
      m.put("can_be_retried", canBeRetried());
      m.put("can_be_cancelled", buildstate.equals("Needs building") || buildstate.equals("Currently building"));
      return m;
    }
  }

  /** Runs {@code f} over every build; for tests that change states directly. */
  public synchronized void eachBuild(Function<Build, Void> f) {
    builds.values().forEach(f::apply);
  }
}
