package dev.imagebuilder.testkit.internal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import okio.Buffer;

/**
 * The OCI distribution API (v2) as the distribution spec and registry 2.8.2 define it:
 * manifests by tag and digest (stored as the exact bytes PUT), blobs, uploads (POST, PATCH,
 * PUT with digest, cross-repository mount), tag lists, and the error body
 * {@code {"errors":[{"code","message","detail"}]}}. Auth is none, Basic, or Bearer tokens from
 * {@code /token} on the same server (granting pull,push to the configured user and pull to
 * anonymous; {@code insufficient_scope} when a token lacks an action). Written from the spec;
 * shares nothing with the client.
 */
public final class RegistryDispatcher extends Dispatcher {
  /** How clients must authenticate. */
  public enum AuthMode { NONE, BASIC, BEARER }

  /** Faults injected before a request is served. */
  public enum Fault { TOO_MANY_REQUESTS, UNAVAILABLE, DENIED }

  private record Stored(byte[] bytes, String mediaType) {}

  private record Upload(String repo, ByteArrayOutputStream data) {}

  private record FaultRule(String repository, Fault fault, AtomicInteger remaining) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> MANIFEST_TYPES = Set.of(FakeImages.DOCKER_LIST, FakeImages.DOCKER_MANIFEST,
      FakeImages.OCI_INDEX, FakeImages.OCI_MANIFEST);
  public static final String SERVICE = "fake-registry";

  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> links = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Stored>> manifests = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> tokens = new ConcurrentHashMap<>();
  private final List<FaultRule> faults = new CopyOnWriteArrayList<>();
  private final List<String> requestLog = new CopyOnWriteArrayList<>();
  private final AtomicLong blobBytesReceived = new AtomicLong();
  private final AtomicLong blobBytesServed = new AtomicLong();
  private final AuthMode auth;
  private final String user;
  private final String password;
  private final String tokenField;

  public RegistryDispatcher(AuthMode auth, String user, String password, String tokenField) {
    this.auth = auth;
    this.user = user;
    this.password = password;
    this.tokenField = tokenField;
  }

  // ---- state, for the test kit's public class ----

  public synchronized void putBlob(String repo, byte[] bytes) {
    String d = FakeImages.sha256(bytes);
    blobs.put(d, bytes);
    links.computeIfAbsent(repo, k -> ConcurrentHashMap.newKeySet()).add(d);
  }

  public synchronized void putManifest(String repo, String reference, byte[] bytes, String mediaType) {
    String d = FakeImages.sha256(bytes);
    manifests.computeIfAbsent(repo, k -> new ConcurrentHashMap<>()).put(d, new Stored(bytes, mediaType));
    if (!reference.startsWith("sha256:")) {
      tags.computeIfAbsent(repo, k -> new ConcurrentHashMap<>()).put(reference, d);
    }
  }

  public Optional<String> tagDigest(String repo, String tag) {
    return Optional.ofNullable(tags.getOrDefault(repo, Map.of()).get(tag));
  }

  public Optional<byte[]> manifestBytes(String repo, String reference) {
    String d = reference.startsWith("sha256:") ? reference : tags.getOrDefault(repo, Map.of()).get(reference);
    Stored s = d == null ? null : manifests.getOrDefault(repo, Map.of()).get(d);
    return Optional.ofNullable(s).map(x -> x.bytes().clone());
  }

  public List<String> tags(String repo) {
    return List.copyOf(new TreeMap<>(tags.getOrDefault(repo, Map.of())).keySet());
  }

  public boolean hasBlob(String repo, String digest) {
    return links.getOrDefault(repo, Set.of()).contains(digest);
  }

  public void fault(String repository, Fault fault, int times) {
    faults.add(new FaultRule(repository, fault, new AtomicInteger(times)));
  }

  public void clearFaults() {
    faults.clear();
  }

  public List<String> requests() {
    return List.copyOf(requestLog);
  }

  public long blobBytesReceived() {
    return blobBytesReceived.get();
  }

  public long blobBytesServed() {
    return blobBytesServed.get();
  }

  public void resetCounters() {
    requestLog.clear();
    blobBytesReceived.set(0);
    blobBytesServed.set(0);
  }

  // ---- the protocol ----

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    MockResponse response = answer(request);
    if (request.getMethod().equals("HEAD") && response.getBody() != null) {
      // A HEAD answer has no body, errors included.
      return new MockResponse.Builder(response).body(new Buffer()).build();
    }
    return response;
  }

  private MockResponse answer(RecordedRequest request) {
    HttpUrl url = request.getUrl();
    String method = request.getMethod();
    String path = url.encodedPath();
    requestLog.add(method + " " + path + (url.encodedQuery() == null ? "" : "?" + url.encodedQuery()));
    try {
      if (path.equals("/token")) {
        return token(request, url);
      }
      if (!path.startsWith("/v2/")) {
        return error(404, "NOT_FOUND", "no such endpoint", null).build();
      }
      Route route = Route.parse(path.substring(4), url);
      MockResponse fault = fault(route, method);
      if (fault != null) {
        return fault;
      }
      MockResponse denied = authorize(request, route, method);
      if (denied != null) {
        return denied;
      }
      return serve(request, route, method).build();
    } catch (RuntimeException e) {
      return error(500, "UNKNOWN", e.toString(), null).build();
    }
  }

  private MockResponse fault(Route route, String method) {
    for (FaultRule r : faults) {
      if (r.repository() != null && !r.repository().equals(route.repo())) {
        continue;
      }
      boolean write = !method.equals("GET") && !method.equals("HEAD");
      if (r.fault() == Fault.DENIED && !write) {
        continue;
      }
      if (r.remaining().get() == 0 || (r.remaining().get() > 0 && r.remaining().decrementAndGet() < 0)) {
        continue;
      }
      return switch (r.fault()) {
        case TOO_MANY_REQUESTS -> error(429, "TOOMANYREQUESTS", "too many requests", null)
            .setHeader("Retry-After", "1").build();
        case UNAVAILABLE -> new MockResponse.Builder().code(503).setHeader("Retry-After", "1")
            .body("service unavailable\n").build();
        case DENIED -> error(403, "DENIED", "requested access to the resource is denied", null).build();
      };
    }
    return null;
  }

  /** Which repository and action a request needs, for auth. */
  record Route(String kind, String repo, String rest, HttpUrl url) {
    static Route parse(String p, HttpUrl url) {
      if (p.isEmpty()) {
        return new Route("base", null, "", url);
      }
      for (String marker : List.of("/manifests/", "/blobs/uploads/", "/blobs/uploads", "/blobs/", "/tags/list")) {
        int i = p.lastIndexOf(marker);
        if (i > 0) {
          String kind = switch (marker) {
            case "/manifests/" -> "manifest";
            case "/blobs/" -> "blob";
            case "/tags/list" -> "tags";
            default -> "upload";
          };
          return new Route(kind, p.substring(0, i), p.substring(i + marker.length()), url);
        }
      }
      return new Route("unknown", null, p, url);
    }
  }

  private MockResponse authorize(RecordedRequest request, Route route, String method) {
    if (auth == AuthMode.NONE) {
      return null;
    }
    String header = request.getHeaders().get("Authorization");
    if (auth == AuthMode.BASIC) {
      if (header != null && header.equals(basic(user, password))) {
        return null;
      }
      return error(401, "UNAUTHORIZED", "authentication required", null)
          .setHeader("WWW-Authenticate", "Basic realm=\"fake-registry\"").build();
    }
    Set<String> needed = needed(route, method);
    Set<String> granted = header != null && header.startsWith("Bearer ")
        ? tokens.get(header.substring(7).strip()) : null;
    String realm = route.url().newBuilder().encodedPath("/token").query(null).build().toString();
    String scope = String.join(" ", scopes(needed));
    String challenge = "Bearer realm=\"" + realm + "\",service=\"" + SERVICE + "\""
        + (scope.isEmpty() ? "" : ",scope=\"" + scope + "\"");
    if (granted == null) {
      return error(401, "UNAUTHORIZED", "authentication required", null)
          .setHeader("WWW-Authenticate", challenge).build();
    }
    if (!granted.containsAll(needed)) {
      return error(401, "UNAUTHORIZED", "authentication required", null)
          .setHeader("WWW-Authenticate", challenge + ",error=\"insufficient_scope\"").build();
    }
    return null;
  }

  private static Set<String> needed(Route route, String method) {
    Set<String> out = new LinkedHashSet<>();
    if (route.repo() == null) {
      return out;
    }
    boolean write = !method.equals("GET") && !method.equals("HEAD");
    out.add(route.repo() + ":pull");
    if (write) {
      out.add(route.repo() + ":push");
    }
    String from = route.url().queryParameter("from");
    if (route.kind().equals("upload") && from != null) {
      out.add(from + ":pull");
    }
    return out;
  }

  /** {@code repo:pull}, {@code repo:push} -> {@code repository:repo:pull,push}. */
  private static List<String> scopes(Set<String> needed) {
    Map<String, List<String>> byRepo = new java.util.LinkedHashMap<>();
    for (String n : needed) {
      int i = n.lastIndexOf(':');
      byRepo.computeIfAbsent(n.substring(0, i), k -> new ArrayList<>()).add(n.substring(i + 1));
    }
    List<String> out = new ArrayList<>();
    byRepo.forEach((repo, actions) -> out.add("repository:" + repo + ":" + String.join(",", actions)));
    return out;
  }

  private MockResponse token(RecordedRequest request, HttpUrl url) {
    if (auth != AuthMode.BEARER) {
      return error(404, "NOT_FOUND", "no token server here", null).build();
    }
    String header = request.getHeaders().get("Authorization");
    boolean authenticated = false;
    if (header != null) {
      if (!header.equals(basic(user, password))) {
        return new MockResponse.Builder().code(401).setHeader("Content-Type", "application/json")
            .body("{\"details\":\"incorrect username or password\"}").build();
      }
      authenticated = true;
    }
    if (!SERVICE.equals(url.queryParameter("service"))) {
      return new MockResponse.Builder().code(400).body("{\"details\":\"unknown service\"}").build();
    }
    Set<String> granted = new LinkedHashSet<>();
    for (String scope : url.queryParameterValues("scope")) {
      String[] parts = scope == null ? new String[0] : scope.split(":");
      if (parts.length != 3 || !parts[0].equals("repository")) {
        continue;
      }
      for (String action : parts[2].split(",")) {
        // The intersection of what was asked and what is allowed: anonymous may only pull.
        if (action.equals("pull") || (authenticated && action.equals("push"))) {
          granted.add(parts[1] + ":" + action);
        }
      }
    }
    String token = UUID.randomUUID().toString();
    tokens.put(token, Collections.unmodifiableSet(granted));
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
        .body("{\"" + tokenField + "\": \"" + token + "\", \"expires_in\": 300}").build();
  }

  private MockResponse.Builder serve(RecordedRequest request, Route route, String method) {
    return switch (route.kind()) {
      case "base" -> new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body("{}");
      case "manifest" -> switch (method) {
        case "GET", "HEAD" -> getManifest(request, route, method.equals("HEAD"));
        case "PUT" -> putManifest(request, route);
        case "DELETE" -> deleteManifest(route);
        default -> unsupported(method);
      };
      case "blob" -> method.equals("GET") || method.equals("HEAD") ? getBlob(route, method.equals("HEAD"))
          : method.equals("DELETE") ? unsupported(method) : unsupported(method);
      case "upload" -> upload(request, route, method);
      case "tags" -> tagList(route);
      default -> error(404, "NAME_UNKNOWN", "repository name not known to registry", null);
    };
  }

  private MockResponse.Builder getManifest(RecordedRequest request, Route route, boolean head) {
    String ref = route.rest();
    String digest = ref.startsWith("sha256:") ? ref : tags.getOrDefault(route.repo(), Map.of()).get(ref);
    Stored s = digest == null ? null : manifests.getOrDefault(route.repo(), Map.of()).get(digest);
    if (s == null) {
      return error(404, "MANIFEST_UNKNOWN", "manifest unknown", ref.startsWith("sha256:") ? null : "{\"Tag\":\"" + ref + "\"}");
    }
    List<String> accept = accept(request);
    if (!ref.startsWith("sha256:")) {
      // As registry 2.8.2: an OCI index needs its type accepted; a Docker list not accepted
      // is answered with the linux/amd64 child.
      if (s.mediaType().equals(FakeImages.OCI_INDEX) && !accept.contains(FakeImages.OCI_INDEX)) {
        return error(404, "MANIFEST_UNKNOWN", "OCI index found, but accept header does not support OCI indexes", null);
      }
      if (s.mediaType().equals(FakeImages.DOCKER_LIST) && !accept.contains(FakeImages.DOCKER_LIST)) {
        String child = amd64Child(s.bytes());
        if (child != null && manifests.get(route.repo()).containsKey(child)) {
          digest = child;
          s = manifests.get(route.repo()).get(child);
        }
      }
    }
    MockResponse.Builder b = new MockResponse.Builder().code(200)
        .setHeader("Content-Type", s.mediaType())
        .setHeader("Docker-Content-Digest", digest)
        .setHeader("Etag", "\"" + digest + "\"");
    if (head) {
      return b.setHeader("Content-Length", s.bytes().length);
    }
    return b.body(new Buffer().write(s.bytes()));
  }

  private MockResponse.Builder putManifest(RecordedRequest request, Route route) {
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    String type = Optional.ofNullable(request.getHeaders().get("Content-Type")).orElse("").split(";")[0].strip();
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      return error(400, "MANIFEST_INVALID", "manifest invalid", "\"not JSON\"");
    }
    if (json == null || !json.isObject()) {
      return error(400, "MANIFEST_INVALID", "manifest invalid", "\"not a JSON object\"");
    }
    String declared = json.path("mediaType").asText("");
    if (!MANIFEST_TYPES.contains(type) || (!declared.isEmpty() && !declared.equals(type))) {
      return error(400, "MANIFEST_INVALID", "manifest invalid",
          "\"Content-Type " + type + " does not match the manifest's mediaType " + declared + "\"");
    }
    String digest = FakeImages.sha256(body);
    String ref = route.rest();
    if (ref.startsWith("sha256:") && !ref.equals(digest)) {
      return error(400, "DIGEST_INVALID", "provided digest did not match uploaded content", null);
    }
    List<String> missing = new ArrayList<>();
    Map<String, Stored> repoManifests = manifests.getOrDefault(route.repo(), Map.of());
    for (JsonNode m : json.path("manifests")) {
      String d = m.path("digest").asText();
      if (!repoManifests.containsKey(d)) {
        missing.add(d);
      }
    }
    List<String> refs = new ArrayList<>();
    if (json.has("config")) {
      refs.add(json.path("config").path("digest").asText());
    }
    json.path("layers").forEach(l -> refs.add(l.path("digest").asText()));
    for (String d : refs) {
      if (!hasBlob(route.repo(), d)) {
        missing.add(d);
      }
    }
    if (!missing.isEmpty()) {
      return error(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry", "\"" + missing.get(0) + "\"");
    }
    putManifest(route.repo(), ref, body, type);
    return new MockResponse.Builder().code(201)
        .setHeader("Location", "/v2/" + route.repo() + "/manifests/" + digest)
        .setHeader("Docker-Content-Digest", digest);
  }

  private MockResponse.Builder deleteManifest(Route route) {
    String ref = route.rest();
    if (!ref.startsWith("sha256:")) {
      // registry 2.8.2 deletes by digest only.
      return error(400, "DIGEST_INVALID", "provided digest did not match uploaded content", null);
    }
    Map<String, Stored> repoManifests = manifests.getOrDefault(route.repo(), new HashMap<>());
    if (repoManifests.remove(ref) == null) {
      return error(404, "MANIFEST_UNKNOWN", "manifest unknown", null);
    }
    tags.getOrDefault(route.repo(), new HashMap<>()).values().removeIf(ref::equals);
    return new MockResponse.Builder().code(202);
  }

  private MockResponse.Builder getBlob(Route route, boolean head) {
    String digest = route.rest();
    byte[] bytes = hasBlob(route.repo(), digest) ? blobs.get(digest) : null;
    if (bytes == null) {
      return error(404, "BLOB_UNKNOWN", "blob unknown to registry", "\"" + digest + "\"");
    }
    MockResponse.Builder b = new MockResponse.Builder().code(200)
        .setHeader("Content-Type", "application/octet-stream")
        .setHeader("Docker-Content-Digest", digest);
    if (head) {
      return b.setHeader("Content-Length", bytes.length);
    }
    blobBytesServed.addAndGet(bytes.length);
    return b.body(new Buffer().write(bytes));
  }

  private MockResponse.Builder upload(RecordedRequest request, Route route, String method) {
    HttpUrl url = route.url();
    if (method.equals("POST") && route.rest().isEmpty()) {
      String mount = url.queryParameter("mount");
      String from = url.queryParameter("from");
      if (mount != null && from != null && hasBlob(from, mount)) {
        links.computeIfAbsent(route.repo(), k -> ConcurrentHashMap.newKeySet()).add(mount);
        return new MockResponse.Builder().code(201)
            .setHeader("Location", "/v2/" + route.repo() + "/blobs/" + mount)
            .setHeader("Docker-Content-Digest", mount);
      }
      // Monolithic POST ?digest= is not completed here (as registry 2.8.2): an upload opens.
      String id = UUID.randomUUID().toString();
      uploads.put(id, new Upload(route.repo(), new ByteArrayOutputStream()));
      return uploadLocation(202, route.repo(), id);
    }
    String id = route.rest();
    Upload u = uploads.get(id);
    if (u == null || !u.repo().equals(route.repo())) {
      return error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", null);
    }
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    switch (method) {
      case "PATCH" -> {
        synchronized (u) {
          u.data().writeBytes(body);
        }
        blobBytesReceived.addAndGet(body.length);
        return uploadLocation(202, route.repo(), id);
      }
      case "PUT" -> {
        String digest = url.queryParameter("digest");
        byte[] all;
        synchronized (u) {
          u.data().writeBytes(body);
          all = u.data().toByteArray();
        }
        blobBytesReceived.addAndGet(body.length);
        if (digest == null || !digest.equals(FakeImages.sha256(all))) {
          return error(400, "DIGEST_INVALID", "provided digest did not match uploaded content", null);
        }
        uploads.remove(id);
        putBlob(route.repo(), all);
        return new MockResponse.Builder().code(201)
            .setHeader("Location", "/v2/" + route.repo() + "/blobs/" + digest)
            .setHeader("Docker-Content-Digest", digest);
      }
      case "DELETE" -> {
        uploads.remove(id);
        return new MockResponse.Builder().code(204);
      }
      case "GET" -> {
        return uploadLocation(204, route.repo(), id);
      }
      default -> {
        return unsupported(method);
      }
    }
  }

  private MockResponse.Builder uploadLocation(int code, String repo, String id) {
    int size = Optional.ofNullable(uploads.get(id)).map(u -> u.data().size()).orElse(0);
    return new MockResponse.Builder().code(code)
        .setHeader("Location", "/v2/" + repo + "/blobs/uploads/" + id + "?_state=" + id.substring(0, 8))
        .setHeader("Docker-Upload-UUID", id)
        .setHeader("Range", "0-" + Math.max(0, size - 1));
  }

  private MockResponse.Builder tagList(Route route) {
    List<String> t = tags(route.repo());
    if (!manifests.containsKey(route.repo())) {
      return error(404, "NAME_UNKNOWN", "repository name not known to registry", null);
    }
    StringBuilder sb = new StringBuilder("{\"name\":\"" + route.repo() + "\",\"tags\":[");
    for (int i = 0; i < t.size(); i++) {
      sb.append(i == 0 ? "" : ",").append('"').append(t.get(i)).append('"');
    }
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(sb + "]}");
  }

  private static String amd64Child(byte[] list) {
    try {
      for (JsonNode m : JSON.readTree(list).path("manifests")) {
        if (m.path("platform").path("architecture").asText().equals("amd64")) {
          return m.path("digest").asText();
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static List<String> accept(RecordedRequest request) {
    List<String> out = new ArrayList<>();
    for (String v : request.getHeaders().values("Accept")) {
      for (String part : v.split(",")) {
        out.add(part.split(";")[0].strip());
      }
    }
    return out;
  }

  private static MockResponse.Builder unsupported(String method) {
    return error(405, "UNSUPPORTED", "The operation is unsupported.", "\"" + method + "\"");
  }

  private static MockResponse.Builder error(int code, String errorCode, String message, String detailJson) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json; charset=utf-8")
        .body("{\"errors\":[{\"code\":\"" + errorCode + "\",\"message\":\"" + message.replace("\"", "'") + "\""
            + (detailJson == null ? "" : ",\"detail\":" + detailJson) + "}]}\n");
  }

  private static String basic(String u, String p) {
    return "Basic " + Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
  }
}
