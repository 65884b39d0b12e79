package dev.imagebuilder.registry;

import dev.imagebuilder.api.InvalidRequestException;
import dev.imagebuilder.registry.internal.Credential;
import dev.imagebuilder.registry.internal.CredentialStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where registry credentials come from. {@link #fromEnvironment()} reads what podman, skopeo and
 * docker read, in their order: {@code REGISTRY_AUTH_FILE}, {@code $XDG_RUNTIME_DIR/containers/auth.json},
 * {@code ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json}, then {@code ~/.docker/config.json}
 * ({@code $DOCKER_CONFIG/config.json}); in each, {@code credHelpers}, {@code auths} (most specific
 * key first) and {@code credsStore}, helpers run as {@code docker-credential-<name> get}. Files are
 * read when a registry asks for credentials, not before. Secrets never appear in
 * {@link #toString()}, logs or exceptions.
 */
public final class RegistryAuth {
  private final Map<String, Credential> explicit;
  private final List<Path> files;
  private final List<Path> helperDirectories;

  private RegistryAuth(Map<String, Credential> explicit, List<Path> files, List<Path> helperDirectories) {
    this.explicit = Map.copyOf(explicit);
    this.files = List.copyOf(files);
    this.helperDirectories = List.copyOf(helperDirectories);
  }

  /** No credentials: anonymous access only. */
  public static RegistryAuth anonymous() {
    return new RegistryAuth(Map.of(), List.of(), List.of());
  }

  /** The auth files and credential helpers of this process's environment and home directory. */
  public static RegistryAuth fromEnvironment() {
    String home = System.getProperty("user.home");
    return fromEnvironment(System.getenv(), home == null ? null : Path.of(home));
  }

  /** As {@link #fromEnvironment()}, with the given environment variables and home directory. */
  public static RegistryAuth fromEnvironment(Map<String, String> env, Path home) {
    return new RegistryAuth(Map.of(), CredentialStore.defaultFiles(env, home), CredentialStore.pathDirectories(env));
  }

  /** Only this auth file (containers-auth.json or docker config.json format); helpers from {@code PATH}. */
  public static RegistryAuth file(Path authFile) {
    Objects.requireNonNull(authFile, "authFile");
    return new RegistryAuth(Map.of(), List.of(authFile), CredentialStore.pathDirectories(System.getenv()));
  }

  /** Adds a user name and secret for one registry ({@code host[:port]}); they win over the files. */
  public RegistryAuth withCredentials(String host, String username, String secret) {
    if (host == null || host.isBlank() || host.contains("/")) {
      throw new InvalidRequestException("registry host", "'" + host + "' is not host[:port]");
    }
    if (username == null || username.isEmpty() || secret == null || secret.isEmpty()) {
      throw new InvalidRequestException("registry credentials", "user name and secret for " + host + " must not be empty");
    }
    Map<String, Credential> m = new HashMap<>(explicit);
    m.put(host.toLowerCase(Locale.ROOT), new Credential(username, secret, "explicit"));
    return new RegistryAuth(m, files, helperDirectories);
  }

  CredentialStore store() {
    return new CredentialStore(explicit, files, helperDirectories);
  }

  /** The auth files consulted, in order. */
  public List<Path> files() {
    return files;
  }

  @Override
  public String toString() {
    return "RegistryAuth[explicit hosts=" + explicit.keySet() + ", files=" + files + "]";
  }
}
