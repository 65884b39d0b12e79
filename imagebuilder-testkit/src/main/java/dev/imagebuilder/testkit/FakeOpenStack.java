package dev.imagebuilder.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake OpenStack on one loopback port: Keystone v3 token issue ({@code POST
 * /identity/v3/auth/tokens}, password or application credential, with a catalog) and the Glance
 * v2 image calls (create, upload, stage, glance-direct import, get, download, delete), written
 * from the API reference and sharing nothing with the clients it serves. Faults can be armed for
 * the next uploads: 409, 413, a 500 in the middle of the body, bytes stored wrong, an image left
 * queued, a failing import. The JDK's HTTP server rather than mockwebserver3: a fault in the
 * middle of a request body (read half, then answer) needs the request stream in hand.
 *
 * <pre>{@code
 * try (FakeOpenStack os = FakeOpenStack.start()) {
 *   Files.writeString(dir.resolve("clouds.yaml"), os.cloudsYaml("ci"));
 *   // OS_CLIENT_CONFIG_FILE=dir/clouds.yaml, destination "glance:ci"
 * }
 * }</pre>
 */
public final class FakeOpenStack implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the next uploads (PUT .../file or .../stage) meet. */
  public enum UploadFault { NONE, CONFLICT_409, TOO_LARGE_413, SERVER_ERROR_MID_UPLOAD, CORRUPT, STAYS_QUEUED }

  /** How glance-direct imports end. */
  public enum ImportFault { NONE, FAILS }

  public static final String USER = "ci";
  public static final String PASSWORD = "s3cret-pw";
  public static final String PROJECT = "images";
  public static final String APP_CREDENTIAL_ID = "ac-1";
  public static final String APP_CREDENTIAL_SECRET = "ac-s3cret";

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService executor = Executors.newCachedThreadPool();
  private volatile List<String> regions = List.of("RegionOne");
  private volatile UploadFault uploadFault = UploadFault.NONE;
  private volatile ImportFault importFault = ImportFault.NONE;
  private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
  private final Map<String, ObjectNode> images = new ConcurrentHashMap<>();
  private final Map<String, byte[]> data = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<String> authBodies = new CopyOnWriteArrayList<>();
  private final List<String> deleted = new CopyOnWriteArrayList<>();
  private final List<Map<String, String>> uploadHeaders = new CopyOnWriteArrayList<>();
  private final AtomicInteger bytesReceived = new AtomicInteger();
  private final Map<String, Integer> pollsLeft = new ConcurrentHashMap<>();
  private volatile int importPolls = 1;

  private FakeOpenStack() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Started on a free loopback port. */
  public static FakeOpenStack start() {
    try {
      FakeOpenStack fake = new FakeOpenStack();
      fake.server.start();
      return fake;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot start the fake OpenStack", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Keystone's v3 URL, as {@code auth_url} takes it. */
  public String authUrl() {
    return base() + "/identity/v3";
  }

  /** The public image endpoint of the catalog (Glance's root, with a trailing slash). */
  public String glanceUrl() {
    return base() + "/image/";
  }

  /** A {@code clouds.yaml} with the password entry {@code name} (region RegionOne, public). */
  public String cloudsYaml(String name) {
    return "clouds:\n  " + name + ":\n    auth:\n      auth_url: " + authUrl()
        + "\n      username: " + USER + "\n      password: " + PASSWORD
        + "\n      project_name: " + PROJECT
        + "\n      user_domain_name: Default\n      project_domain_name: Default"
        + "\n    region_name: RegionOne\n    interface: public\n";
  }

  /** The catalog's regions: each has a public image endpoint and an internal one. */
  public FakeOpenStack regions(List<String> names) {
    this.regions = List.copyOf(names);
    return this;
  }

  public FakeOpenStack uploadFault(UploadFault fault) {
    this.uploadFault = fault;
    return this;
  }

  public FakeOpenStack importFault(ImportFault fault) {
    this.importFault = fault;
    return this;
  }

  /** How many status polls an import stays {@code importing} (default 1). */
  public FakeOpenStack importPolls(int polls) {
    this.importPolls = polls;
    return this;
  }

  /** Revokes every token issued so far: Glance answers 401 until the client authenticates again. */
  public void revokeTokens() {
    validTokens.clear();
  }

  /** The ids of the images that exist now. */
  public Set<String> imageIds() {
    return Set.copyOf(images.keySet());
  }

  /** An image record as Glance would return it: every value as text (null as absent). */
  public Optional<Map<String, String>> image(String id) {
    ObjectNode image = images.get(id);
    if (image == null) {
      return Optional.empty();
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    image.fields().forEachRemaining(e -> {
      if (!e.getValue().isNull()) {
        out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
      }
    });
    return Optional.of(out);
  }

  /** The bytes stored for an image, if any. */
  public Optional<byte[]> imageData(String id) {
    return Optional.ofNullable(data.get(id)).map(byte[]::clone);
  }

  /** Every request, as {@code METHOD /path}, in order. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** The JSON bodies of every token request, in order (they hold credentials: tests only). */
  public List<String> authRequests() {
    return List.copyOf(authBodies);
  }

  /** The ids of the images deleted, in order. */
  public List<String> deletedIds() {
    return List.copyOf(deleted);
  }

  /** Content-Length, Transfer-Encoding and Expect of every upload request (absent ones left out). */
  public List<Map<String, String>> uploadHeaders() {
    return List.copyOf(uploadHeaders);
  }

  /** Image bytes read from uploads so far, complete or not. */
  public long bytesReceived() {
    return bytesReceived.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    calls.add(method + " " + path);
    try {
      if (path.equals("/identity/v3/auth/tokens") && method.equals("POST")) {
        tokens(ex);
        return;
      }
      if (!path.startsWith("/image/v2/")) {
        send(ex, 404, "{\"error\": \"not found\"}");
        return;
      }
      String token = ex.getRequestHeaders().getFirst("X-Auth-Token");
      if (token == null || !validTokens.contains(token)) {
        ex.getResponseHeaders().add("Www-Authenticate", "Keystone uri=\"" + base() + "/identity\"");
        send(ex, 401, "<html><body><h1>401 Unauthorized</h1>This server could not verify that you are authorized.</body></html>");
        return;
      }
      String[] parts = path.substring("/image/v2/".length()).split("/");
      if (parts.length == 1 && parts[0].equals("images") && method.equals("POST")) {
        create(ex);
      } else if (parts.length == 2 && method.equals("GET")) {
        ObjectNode image = images.get(parts[1]);
        if (image == null) {
          send(ex, 404, "{}");
          return;
        }
        pollImport(image);
        send(ex, 200, image.toString());
      } else if (parts.length == 2 && method.equals("DELETE")) {
        boolean existed = images.remove(parts[1]) != null;
        data.remove(parts[1]);
        deleted.add(parts[1]);
        send(ex, existed ? 204 : 404, "");
      } else if (parts.length == 3 && parts[2].equals("file") && method.equals("PUT")) {
        upload(ex, parts[1], "active");
      } else if (parts.length == 3 && parts[2].equals("stage") && method.equals("PUT")) {
        upload(ex, parts[1], "uploading");
      } else if (parts.length == 3 && parts[2].equals("import") && method.equals("POST")) {
        ObjectNode image = images.get(parts[1]);
        JsonNode body = JSON.readTree(ex.getRequestBody());
        if (image == null || !"uploading".equals(image.path("status").asText())
            || !"glance-direct".equals(body.path("method").path("name").asText())) {
          send(ex, 409, "{\"message\": \"Image is not staged\"}");
          return;
        }
        image.put("status", "importing");
        pollsLeft.put(parts[1], importPolls);
        send(ex, 202, "");
      } else if (parts.length == 3 && parts[2].equals("file") && method.equals("GET")) {
        byte[] bytes = data.get(parts[1]);
        if (bytes == null) {
          send(ex, 204, "");
          return;
        }
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
      } else {
        send(ex, 405, "{}");
      }
    } catch (RuntimeException e) {
      send(ex, 500, "{\"error\": \"" + e + "\"}");
    }
  }

  private void tokens(HttpExchange ex) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody());
    authBodies.add(body.toString());
    JsonNode identity = body.path("auth").path("identity");
    String method = identity.path("methods").path(0).asText();
    boolean ok;
    if (method.equals("password")) {
      JsonNode u = identity.path("password").path("user");
      ok = USER.equals(u.path("name").asText()) && PASSWORD.equals(u.path("password").asText())
          && body.path("auth").path("scope").path("project").has("name");
    } else if (method.equals("application_credential")) {
      JsonNode c = identity.path("application_credential");
      ok = APP_CREDENTIAL_ID.equals(c.path("id").asText())
          && APP_CREDENTIAL_SECRET.equals(c.path("secret").asText())
          && !body.path("auth").has("scope");
    } else {
      ok = false;
    }
    if (!ok) {
      send(ex, 401, "{\"error\": {\"code\": 401, \"message\": \"The request you have made requires "
          + "authentication.\", \"title\": \"Unauthorized\"}}");
      return;
    }
    String token = "gAAAA" + UUID.randomUUID();
    validTokens.add(token);
    ObjectNode root = JSON.createObjectNode();
    ObjectNode t = root.putObject("token");
    t.put("expires_at", "2999-01-01T00:00:00.000000Z");
    t.putArray("methods").add(method);
    ArrayNode catalog = t.putArray("catalog");
    ObjectNode identityService = catalog.addObject();
    identityService.put("type", "identity").put("name", "keystone");
    identityService.putArray("endpoints").addObject().put("interface", "public")
        .put("region_id", regions.get(0)).put("region", regions.get(0)).put("url", authUrl());
    ObjectNode image = catalog.addObject();
    image.put("type", "image").put("name", "glance");
    ArrayNode endpoints = image.putArray("endpoints");
    for (String region : regions) {
      endpoints.addObject().put("interface", "public").put("region_id", region).put("region", region)
          .put("url", glanceUrl());
      endpoints.addObject().put("interface", "internal").put("region_id", region).put("region", region)
          .put("url", base() + "/internal-image-" + region);
    }
    ex.getResponseHeaders().add("X-Subject-Token", token);
    send(ex, 201, root.toString());
  }

  private void create(HttpExchange ex) throws IOException {
    ObjectNode body = (ObjectNode) JSON.readTree(ex.getRequestBody());
    String id = UUID.randomUUID().toString();
    ObjectNode image = body.deepCopy();
    image.put("id", id);
    image.put("status", "queued");
    image.putNull("size");
    image.putNull("checksum");
    image.putNull("os_hash_algo");
    image.putNull("os_hash_value");
    image.put("file", "/v2/images/" + id + "/file");
    image.put("self", "/v2/images/" + id);
    images.put(id, image);
    ex.getResponseHeaders().add("Location", glanceUrl() + "v2/images/" + id);
    ex.getResponseHeaders().add("OpenStack-image-import-methods", "glance-direct,web-download");
    send(ex, 201, image.toString());
  }

  private void upload(HttpExchange ex, String id, String statusAfter) throws IOException {
    ObjectNode image = images.get(id);
    Map<String, String> headers = new java.util.TreeMap<>();
    for (String name : List.of("Content-Length", "Transfer-Encoding", "Expect")) {
      String value = ex.getRequestHeaders().getFirst(name);
      if (value != null) {
        headers.put(name, value);
      }
    }
    uploadHeaders.add(headers);
    if (image == null) {
      send(ex, 404, "{}");
      return;
    }
    switch (uploadFault) {
      case CONFLICT_409 -> {
        bytesReceived.addAndGet(readAll(ex.getRequestBody()).length);
        send(ex, 409, "<html><body><h1>409 Conflict</h1>Image status transition from active to saving is not allowed</body></html>");
        return;
      }
      case TOO_LARGE_413 -> {
        bytesReceived.addAndGet(readAll(ex.getRequestBody()).length);
        send(ex, 413, "<html><body><h1>413 Request Entity Too Large</h1>Image exceeds the storage quota</body></html>");
        return;
      }
      case SERVER_ERROR_MID_UPLOAD -> {
        InputStream in = ex.getRequestBody();
        long length = Long.parseLong(ex.getRequestHeaders().getFirst("Content-Length"));
        byte[] half = in.readNBytes((int) (length / 2));
        bytesReceived.addAndGet(half.length);
        send(ex, 500, "<html><body><h1>500 Internal Server Error</h1>store failed</body></html>");
        return;
      }
      default -> { }
    }
    if (!"queued".equals(image.path("status").asText())) {
      send(ex, 409, "{\"message\": \"Image is not queued\"}");
      return;
    }
    byte[] bytes = readAll(ex.getRequestBody());
    bytesReceived.addAndGet(bytes.length);
    if (uploadFault == UploadFault.CORRUPT) {
      bytes[0] ^= 1;
    }
    data.put(id, bytes);
    if (uploadFault == UploadFault.STAYS_QUEUED) {
      send(ex, 204, "");
      return;
    }
    if (statusAfter.equals("active")) {
      activate(image, bytes);
    } else {
      image.put("status", statusAfter);
    }
    send(ex, 204, "");
  }

  private void pollImport(ObjectNode image) {
    if (!"importing".equals(image.path("status").asText())) {
      return;
    }
    String id = image.path("id").asText();
    int left = pollsLeft.getOrDefault(id, 0);
    if (left > 0) {
      pollsLeft.put(id, left - 1);
      return;
    }
    if (importFault == ImportFault.FAILS) {
      image.put("status", "queued");
      image.put("os_glance_failed_import", "file");
    } else {
      activate(image, data.get(id));
    }
  }

  private static void activate(ObjectNode image, byte[] bytes) {
    image.put("size", bytes.length);
    image.put("checksum", hex("MD5", bytes));
    image.put("os_hash_algo", "sha512");
    image.put("os_hash_value", hex("SHA-512", bytes));
    image.put("status", "active");
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (body.startsWith("{")) {
      ex.getResponseHeaders().add("Content-Type", "application/json");
    } else if (body.startsWith("<")) {
      ex.getResponseHeaders().add("Content-Type", "text/html");
    }
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }
}
