package dev.imagebuilder.glance;

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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keystone v3 ({@code POST /v3/auth/tokens}) and the Glance v2 image calls on one loopback
 * port, written from the API reference (reference/glance.md), sharing nothing with the client.
 * The JDK's HTTP server rather than mockwebserver3: faults in the middle of a request body
 * (read half, then answer 500) need the request stream in hand.
 */
final class FakeOpenStack implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  enum UploadFault { NONE, CONFLICT_409, TOO_LARGE_413, SERVER_ERROR_MID_UPLOAD, CORRUPT, STAYS_QUEUED }

  enum ImportFault { NONE, FAILS }

  final HttpServer server;
  final String user = "ci";
  final String password = "s3cret-pw";
  final String appCredId = "ac-1";
  final String appCredSecret = "ac-s3cret";
  volatile List<String> regions = List.of("RegionOne");
  volatile UploadFault uploadFault = UploadFault.NONE;
  volatile ImportFault importFault = ImportFault.NONE;
  /** Tokens Glance accepts; clearing it revokes them all (the next call gets 401). */
  final Set<String> validTokens = ConcurrentHashMap.newKeySet();
  final Map<String, ObjectNode> images = new ConcurrentHashMap<>();
  final Map<String, byte[]> data = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<JsonNode> authBodies = new CopyOnWriteArrayList<>();
  final List<String> deleted = new CopyOnWriteArrayList<>();
  final List<String> uploadContentLengths = new CopyOnWriteArrayList<>();
  final List<String> expectHeaders = new CopyOnWriteArrayList<>();
  final AtomicInteger bytesReceived = new AtomicInteger();
  private final Map<String, Integer> pollsLeft = new ConcurrentHashMap<>();
  /** Status polls an import takes before it ends. */
  volatile int importPolls = 1;

  FakeOpenStack() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String authUrl() {
    return base() + "/identity/v3";
  }

  String glanceUrl() {
    return base() + "/image/";
  }

  @Override
  public void close() {
    server.stop(0);
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
    authBodies.add(body);
    JsonNode identity = body.path("auth").path("identity");
    String method = identity.path("methods").path(0).asText();
    boolean ok;
    if (method.equals("password")) {
      JsonNode u = identity.path("password").path("user");
      ok = user.equals(u.path("name").asText()) && password.equals(u.path("password").asText())
          && body.path("auth").path("scope").path("project").has("name");
    } else if (method.equals("application_credential")) {
      JsonNode c = identity.path("application_credential");
      ok = appCredId.equals(c.path("id").asText()) && appCredSecret.equals(c.path("secret").asText())
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
    uploadContentLengths.add(String.valueOf(ex.getRequestHeaders().getFirst("Content-Length")));
    expectHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst("Expect")));
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

  static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
