package dev.imagebuilder.apt.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * Launchpad's archive entries and an HKP keyserver on one loopback server, written from
 * {@code launchpad-api.md} (entries are JSON objects; errors are {@code text/plain}; a missing
 * object is 404) and the HKP lookup ({@code /pks/lookup?op=get&options=mr&search=0x<fingerprint>},
 * {@code application/pgp-keys}, 404 when there is no such key). Web service root: {@code /devel/}.
 */
final class FakePpaServers extends Dispatcher {
  private static final Pattern ARCHIVE =
      Pattern.compile("/devel/~([^/]+)/\\+archive/([^/]+)/([^/?]+)");
  private static final Pattern LOOKUP = Pattern.compile("/pks/lookup\\?(.*)");

  private final Map<String, String> archives = new ConcurrentHashMap<>();
  private final Map<String, MockResponse> faults = new ConcurrentHashMap<>();
  private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
  final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();

  /** A PPA whose archive entry has {@code fingerprintJson} (a JSON value: a string or null). */
  FakePpaServers archive(String owner, String distribution, String name, String fingerprintJson) {
    archives.put("/devel/~" + owner + "/+archive/" + distribution + "/" + name, fingerprintJson);
    return this;
  }

  /** What the keyserver answers for {@code fingerprint} (upper-case hex). */
  FakePpaServers key(String fingerprint, byte[] answer) {
    keys.put(fingerprint, answer);
    return this;
  }

  /** Answers {@code target} (path and query) with {@code response} instead. */
  FakePpaServers fault(String target, MockResponse response) {
    faults.put(target, response);
    return this;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.add(request);
    String target = request.getTarget();
    if (faults.containsKey(target)) {
      return faults.get(target);
    }
    if (!"GET".equals(request.getMethod())) {
      return text(405, "Method not allowed");
    }
    Matcher archive = ARCHIVE.matcher(target);
    if (archive.matches()) {
      String fingerprint = archives.get(target);
      if (fingerprint == null) {
        return text(404, "Object: <lp.registry.model.person.Person object>, name: '" + archive.group(3) + "'");
      }
      String self = "http://" + request.getHeaders().get("Host") + target;
      return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
          .body("{\"self_link\": \"" + self + "\", \"resource_type_link\": \"http://"
              + request.getHeaders().get("Host") + "/devel/#archive\", \"name\": \"" + archive.group(3)
              + "\", \"displayname\": \"PPA for " + archive.group(1) + "\", \"private\": false,"
              + " \"signing_key_fingerprint\": " + fingerprint + ", \"http_etag\": \"\\\"1-2\\\"\"}")
          .build();
    }
    Matcher lookup = LOOKUP.matcher(target);
    if (lookup.matches()) {
      Map<String, String> query = query(lookup.group(1));
      if (!"get".equals(query.get("op"))) {
        return text(400, "Invalid operation");
      }
      String search = Optional.ofNullable(query.get("search")).orElse("");
      byte[] key = search.startsWith("0x") ? keys.get(search.substring(2)) : null;
      if (key == null) {
        return text(404, "No results found");
      }
      return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/pgp-keys")
          .body(new Buffer().write(key)).build();
    }
    return text(404, "Not found");
  }

  static MockResponse text(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "text/plain").body(body).build();
  }

  private static Map<String, String> query(String q) {
    Map<String, String> out = new ConcurrentHashMap<>();
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return out;
  }
}
