package dev.imagebuilder.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the credentials for a registry the way podman, skopeo and docker do: explicit entries
 * first, then each auth file in order ({@code auths} by most specific key, {@code credHelpers},
 * {@code credsStore}); helpers run as {@code docker-credential-<suffix> get}. Secrets are read
 * when needed and never logged.
 */
public final class CredentialStore {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CredentialStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HELPER_TIMEOUT_SECONDS = 30;

  private final Map<String, Credential> explicit;
  private final List<Path> files;
  private final List<Path> helperDirectories;

  public CredentialStore(Map<String, Credential> explicit, List<Path> files, List<Path> helperDirectories) {
    this.explicit = Map.copyOf(explicit);
    this.files = List.copyOf(files);
    this.helperDirectories = List.copyOf(helperDirectories);
  }

  /**
   * The auth files in the order containers-auth.json(5) and docker read them: {@code
   * REGISTRY_AUTH_FILE}, {@code $XDG_RUNTIME_DIR/containers/auth.json}, {@code
   * ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json}, {@code ~/.docker/config.json}.
   */
  public static List<Path> defaultFiles(Map<String, String> env, Path home) {
    List<Path> out = new ArrayList<>();
    value(env, "REGISTRY_AUTH_FILE").ifPresent(f -> out.add(Path.of(f)));
    value(env, "XDG_RUNTIME_DIR").ifPresent(d -> out.add(Path.of(d, "containers", "auth.json")));
    Path config = value(env, "XDG_CONFIG_HOME").map(Path::of).orElse(home == null ? null : home.resolve(".config"));
    if (config != null) {
      out.add(config.resolve("containers").resolve("auth.json"));
    }
    value(env, "DOCKER_CONFIG").ifPresentOrElse(d -> out.add(Path.of(d, "config.json")), () -> {
      if (home != null) {
        out.add(home.resolve(".docker").resolve("config.json"));
      }
    });
    return out;
  }

  /** The directories of {@code PATH}, where credential helpers are looked for. */
  public static List<Path> pathDirectories(Map<String, String> env) {
    List<Path> out = new ArrayList<>();
    value(env, "PATH").ifPresent(p -> {
      for (String d : p.split(java.io.File.pathSeparator)) {
        if (!d.isBlank()) {
          out.add(Path.of(d));
        }
      }
    });
    return out;
  }

  public List<Path> files() {
    return files;
  }

  /** The credential for {@code host} (host[:port]) and repository, or empty for anonymous access. */
  public Optional<Credential> lookup(String host, String repository) {
    for (String key : keys(host)) {
      Credential c = explicit.get(key);
      if (c != null) {
        return Optional.of(c);
      }
    }
    for (Path file : files) {
      JsonNode root = read(file);
      if (root == null) {
        continue;
      }
      for (String key : keys(host)) {
        Optional<Credential> found = fromFile(file, root, key, repository);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  /** Docker Hub's API host is filed as {@code index.docker.io} (docker) or {@code docker.io} (podman). */
  private static List<String> keys(String host) {
    return DOCKER_HUB.contains(host) ? DOCKER_HUB : List.of(host);
  }

  private static final List<String> DOCKER_HUB = List.of("registry-1.docker.io", "index.docker.io", "docker.io");

  private Optional<Credential> fromFile(Path file, JsonNode root, String host, String repository) {
    JsonNode helpers = root.path("credHelpers");
    if (helpers.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = helpers.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (normalise(e.getKey()).equals(host) && e.getValue().isTextual()) {
          // A configured helper is the only source for its host in this file.
          return helper(e.getValue().asText(), host);
        }
      }
    }
    JsonNode auths = root.path("auths");
    if (auths.isObject()) {
      Map<String, JsonNode> byKey = new LinkedHashMap<>();
      auths.fields().forEachRemaining(e -> byKey.put(normalise(e.getKey()), e.getValue()));
      // Most specific first: host/ns/image, host/ns, host.
      List<String> keys = new ArrayList<>();
      String path = host + "/" + (repository == null ? "" : repository);
      while (path.contains("/")) {
        String k = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        keys.add(k);
        path = path.substring(0, path.lastIndexOf('/'));
      }
      keys.add(host);
      for (String k : keys) {
        JsonNode entry = byKey.get(k);
        if (entry != null) {
          Optional<Credential> c = decode(file, k, entry);
          if (c.isPresent()) {
            return c;
          }
        }
      }
    }
    JsonNode store = root.path("credsStore");
    if (store.isTextual() && !store.asText().isBlank()) {
      return helper(store.asText(), host);
    }
    return Optional.empty();
  }

  private static Optional<Credential> decode(Path file, String key, JsonNode entry) {
    String auth = entry.path("auth").asText("");
    if (auth.isEmpty()) {
      if (entry.hasNonNull("identitytoken")) {
        LOG.warn("{}: the entry for {} holds an identity token, which is not supported; trying anonymous access",
            file, key);
      }
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("registry auth file", file + ": auths." + key + ".auth is not base64");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new InvalidRequestException("registry auth file", file + ": auths." + key
          + ".auth does not decode to user:password");
    }
    return Optional.of(new Credential(decoded.substring(0, colon), decoded.substring(colon + 1), file.toString()));
  }

  private Optional<Credential> helper(String suffix, String host) {
    if (!suffix.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidRequestException("registry auth file", "credential helper '" + suffix + "' is not a helper name");
    }
    String name = "docker-credential-" + suffix;
    Path exe = helperDirectories.stream().map(d -> d.resolve(name)).filter(Files::isExecutable).findFirst()
        .orElse(null);
    if (exe == null) {
      LOG.warn("credential helper {} for {} is not on PATH; trying anonymous access", name, host);
      return Optional.empty();
    }
    try {
      Process p = new ProcessBuilder(exe.toString(), "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(host.getBytes(StandardCharsets.UTF_8));
      }
      byte[] out;
      try (InputStream stdout = p.getInputStream()) {
        out = stdout.readNBytes(1 << 16);
      }
      if (!p.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        LOG.warn("credential helper {} did not answer for {} within {} s", name, host, HELPER_TIMEOUT_SECONDS);
        return Optional.empty();
      }
      if (p.exitValue() != 0) {
        // "credentials not found" and the like: anonymous, as docker does.
        LOG.debug("credential helper {} has nothing for {} (exit {})", name, host, p.exitValue());
        return Optional.empty();
      }
      JsonNode json = JSON.readTree(out);
      String user = json.path("Username").asText("");
      String secret = json.path("Secret").asText("");
      if (user.isEmpty() || secret.isEmpty()) {
        return Optional.empty();
      }
      if (user.equals("<token>")) {
        LOG.warn("credential helper {} gave an identity token for {}, which is not supported; trying anonymous access",
            name, host);
        return Optional.empty();
      }
      return Optional.of(new Credential(user, secret, name));
    } catch (IOException e) {
      // Never include the helper's output: it may hold the secret.
      LOG.warn("credential helper {} failed for {}: {}", name, host, e.getClass().getSimpleName());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      if (root == null || !root.isObject()) {
        throw new InvalidRequestException("registry auth file", file + " is not a JSON object");
      }
      return root;
    } catch (IOException e) {
      // The parser's message may quote file content (secrets): name the file only.
      throw new InvalidRequestException("registry auth file", file + " is not valid JSON");
    }
  }

  /** {@code https://index.docker.io/v1/} -> {@code index.docker.io}; {@code host:5000/} -> {@code host:5000}. */
  static String normalise(String key) {
    String k = key.strip();
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
      int slash = k.indexOf('/');
      if (slash >= 0) {
        k = k.substring(0, slash);
      }
    }
    while (k.endsWith("/")) {
      k = k.substring(0, k.length() - 1);
    }
    return k.toLowerCase(Locale.ROOT);
  }

  private static Optional<String> value(Map<String, String> env, String key) {
    String v = env.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  @Override
  public String toString() {
    return "CredentialStore[explicit=" + explicit.keySet() + ", files=" + files + "]";
  }
}
