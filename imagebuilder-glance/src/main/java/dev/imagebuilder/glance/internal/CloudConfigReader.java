package dev.imagebuilder.glance.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.imagebuilder.api.InvalidRequestException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds a cloud's settings the way the OpenStack clients (openstacksdk, python-openstackclient)
 * do: {@code clouds.yaml} from {@code $OS_CLIENT_CONFIG_FILE}, {@code ./clouds.yaml},
 * {@code ~/.config/openstack/clouds.yaml}, {@code /etc/openstack/clouds.yaml} (the first that
 * exists), with the secrets of a {@code secure.yaml} from the same places merged in; the cloud
 * named by the caller or by {@code OS_CLOUD}; and without either, the {@code OS_*} variables as
 * the cloud {@code envvars}. Values are never echoed in errors: they may be secrets.
 */
public final class CloudConfigReader {
  static final String ENVVARS = "envvars";
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final List<String> CLOUDS_FILES = List.of("clouds.yaml", "clouds.yml");
  private static final List<String> SECURE_FILES = List.of("secure.yaml", "secure.yml");

  private final String field;
  private final Function<String, String> environment;
  private final Path workingDirectory;
  private final Path systemDirectory;

  /**
   * @param field the request field errors are reported under (such as {@code destination})
   * @param environment where {@code OS_*} and {@code HOME} are read
   */
  public CloudConfigReader(String field, Function<String, String> environment,
      Path workingDirectory, Path systemDirectory) {
    this.field = field;
    this.environment = environment;
    this.workingDirectory = workingDirectory;
    this.systemDirectory = systemDirectory;
  }

  /** With the process's working directory and {@code /etc/openstack}. */
  public static CloudConfigReader standard(String field, Function<String, String> environment) {
    return new CloudConfigReader(field, environment, Path.of("").toAbsolutePath(),
        Path.of("/etc/openstack"));
  }

  /** The cloud {@code name}, or when empty the one {@code OS_CLOUD} names, or {@code envvars}. */
  public OpenStackCloud read(Optional<String> name) {
    Optional<String> chosen = name.or(() -> env("OS_CLOUD"));
    Optional<Path> cloudsFile = find(CLOUDS_FILES, env("OS_CLIENT_CONFIG_FILE"), "OS_CLIENT_CONFIG_FILE");
    if (chosen.isEmpty()) {
      if (env("OS_AUTH_URL").isPresent()) {
        return fromEnvironment();
      }
      throw new InvalidRequestException(field, "no cloud chosen: give glance:NAME, set OS_CLOUD to"
          + " an entry of clouds.yaml, or set the OS_* variables (OS_AUTH_URL and the credentials)");
    }
    String cloud = chosen.get();
    if (cloudsFile.isEmpty()) {
      if (cloud.equals(ENVVARS) && env("OS_AUTH_URL").isPresent()) {
        return fromEnvironment();
      }
      throw new InvalidRequestException(field, "cloud '" + cloud + "' is not configured: no"
          + " clouds.yaml found (looked in " + String.join(", ", candidates(CLOUDS_FILES,
              env("OS_CLIENT_CONFIG_FILE")).stream().map(Path::toString).toList()) + ")");
    }
    JsonNode clouds = load(cloudsFile.get()).path("clouds");
    JsonNode entry = clouds.path(cloud);
    if (!entry.isObject()) {
      if (cloud.equals(ENVVARS) && env("OS_AUTH_URL").isPresent()) {
        return fromEnvironment();
      }
      List<String> known = new ArrayList<>();
      clouds.fieldNames().forEachRemaining(known::add);
      throw new InvalidRequestException(field, "cloud '" + cloud + "' is not in "
          + cloudsFile.get() + " (its clouds: " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
    }
    ObjectNode merged = entry.deepCopy();
    Optional<Path> secureFile = find(SECURE_FILES, env("OS_CLIENT_SECURE_FILE"), "OS_CLIENT_SECURE_FILE");
    if (secureFile.isPresent()) {
      JsonNode secure = load(secureFile.get()).path("clouds").path(cloud);
      if (secure.isObject()) {
        merge(merged, (ObjectNode) secure);
      }
    }
    return fromEntry(cloud, cloudsFile.get().toString(), merged);
  }

  private OpenStackCloud fromEntry(String cloud, String source, JsonNode entry) {
    String where = source + ": clouds." + cloud;
    if (entry.has("profile")) {
      throw new InvalidRequestException(where + ".profile",
          "vendor profiles are not supported: give auth_url, region_name and interface in the entry");
    }
    rejectTls(where, text(entry, "verify"), text(entry, "cacert"));
    Optional<String> version = text(entry, "identity_api_version");
    if (version.isPresent() && !version.get().equals("3") && !version.get().startsWith("3.")) {
      throw new InvalidRequestException(where + ".identity_api_version",
          "'" + version.get() + "': only Keystone v3 is supported");
    }
    JsonNode auth = entry.path("auth");
    Map<String, Optional<String>> values = new java.util.HashMap<>();
    for (String key : List.of("auth_url", "username", "user_id", "user_domain_name", "user_domain_id",
        "password", "project_name", "project_id", "tenant_name", "tenant_id", "project_domain_name",
        "project_domain_id", "domain_name", "domain_id", "application_credential_id",
        "application_credential_name", "application_credential_secret")) {
      values.put(key, text(auth, key));
    }
    return build(cloud, source, where + ".auth.", text(entry, "auth_type").orElse("password"),
        values, text(entry, "region_name"), text(entry, "interface").orElse("public"));
  }

  private OpenStackCloud fromEnvironment() {
    String where = "the OS_* variables";
    rejectTls("OS_", env("OS_INSECURE").filter(v -> v.equalsIgnoreCase("true")).map(v -> "false"),
        env("OS_CACERT"));
    Optional<String> version = env("OS_IDENTITY_API_VERSION");
    if (version.isPresent() && !version.get().startsWith("3")) {
      throw new InvalidRequestException("OS_IDENTITY_API_VERSION",
          "'" + version.get() + "': only Keystone v3 is supported");
    }
    Map<String, Optional<String>> values = new java.util.HashMap<>();
    for (String key : List.of("auth_url", "username", "user_id", "user_domain_name", "user_domain_id",
        "password", "project_name", "project_id", "tenant_name", "tenant_id", "project_domain_name",
        "project_domain_id", "domain_name", "domain_id", "application_credential_id",
        "application_credential_name", "application_credential_secret")) {
      values.put(key, env("OS_" + key.toUpperCase(Locale.ROOT)));
    }
    return build(ENVVARS, where, "OS_", env("OS_AUTH_TYPE").orElse("password"), values,
        env("OS_REGION_NAME"), env("OS_INTERFACE").orElse("public"));
  }

  /** {@code prefix} names a key for errors: {@code <file>: clouds.x.auth.} or {@code OS_}. */
  private OpenStackCloud build(String cloud, String source, String prefix, String authType,
      Map<String, Optional<String>> v, Optional<String> region, String interfaceName) {
    boolean env = prefix.equals("OS_");
    Function<String, String> key = k -> env ? "OS_" + k.toUpperCase(Locale.ROOT) : prefix + k;
    URI authUrl = authUrl(key.apply("auth_url"), v.get("auth_url")
        .orElseThrow(() -> missing(key.apply("auth_url"), "the Keystone URL")));
    Optional<String> domainId = v.get("domain_id");
    Optional<String> domainName = v.get("domain_name");
    OpenStackCloud.Credentials credentials = switch (authType.strip().toLowerCase(Locale.ROOT)) {
      case "password", "v3password" -> {
        Optional<String> userId = v.get("user_id");
        Optional<String> userName = v.get("username");
        if (userId.isEmpty() && userName.isEmpty()) {
          throw missing(key.apply("username"), "the user (username or user_id)");
        }
        Optional<String> projectId = v.get("project_id").or(() -> v.get("tenant_id"));
        Optional<String> projectName = v.get("project_name").or(() -> v.get("tenant_name"));
        if (projectId.isEmpty() && projectName.isEmpty()) {
          throw missing(key.apply("project_name"), "the project to scope the token to "
              + "(project_name or project_id; an unscoped token has no catalog)");
        }
        yield new OpenStackCloud.Password(userId, userName,
            v.get("user_domain_id").or(() -> domainId), v.get("user_domain_name").or(() -> domainName),
            v.get("password").orElseThrow(() -> missing(key.apply("password"), "the password")),
            projectId, projectName, v.get("project_domain_id").or(() -> domainId),
            v.get("project_domain_name").or(() -> domainName));
      }
      case "v3applicationcredential", "application_credential" -> {
        Optional<String> id = v.get("application_credential_id");
        Optional<String> name = v.get("application_credential_name");
        if (id.isEmpty() && name.isEmpty()) {
          throw missing(key.apply("application_credential_id"), "the application credential's id");
        }
        if (id.isEmpty() && v.get("user_id").isEmpty() && v.get("username").isEmpty()) {
          throw missing(key.apply("username"),
              "the user of an application credential given by name (username or user_id)");
        }
        yield new OpenStackCloud.ApplicationCredential(id, name, v.get("user_id"), v.get("username"),
            v.get("user_domain_id").or(() -> domainId), v.get("user_domain_name").or(() -> domainName),
            v.get("application_credential_secret").orElseThrow(() ->
                missing(key.apply("application_credential_secret"), "the application credential's secret")));
      }
      default -> throw new InvalidRequestException(env ? "OS_AUTH_TYPE" : prefix.replace(".auth.", ".auth_type"),
          "'" + authType + "' is not supported (password, v3password, v3applicationcredential)");
    };
    String iface = interfaceName.strip().toLowerCase(Locale.ROOT).replaceFirst("url$", "");
    if (!List.of("public", "internal", "admin").contains(iface)) {
      throw new InvalidRequestException(env ? "OS_INTERFACE" : prefix.replace(".auth.", ".interface"),
          "'" + interfaceName + "' is not an endpoint interface (public, internal or admin)");
    }
    return new OpenStackCloud(cloud, source, authUrl, credentials, region.map(String::strip), iface);
  }

  private static URI authUrl(String key, String text) {
    try {
      URI uri = new URI(text.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        // Not echoed: a URL written wrong may still carry a password in its user part.
        throw new InvalidRequestException(key, "is not an http or https URL with a host (scheme '"
            + scheme + "')");
      }
      if (uri.getRawUserInfo() != null) {
        throw new InvalidRequestException(key, "must not carry user information");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(key, "is not a URL: " + e.getReason());
    }
  }

  private static void rejectTls(String where, Optional<String> verify, Optional<String> cacert) {
    if (verify.isPresent() && verify.get().equalsIgnoreCase("false")) {
      throw new InvalidRequestException(where.endsWith("_") ? "OS_INSECURE" : where + ".verify",
          "turning TLS verification off is not supported");
    }
    if (cacert.isPresent()) {
      throw new InvalidRequestException(where.endsWith("_") ? "OS_CACERT" : where + ".cacert",
          "is not supported: add the CA certificate to the Java trust store"
              + " (javax.net.ssl.trustStore) instead");
    }
  }

  private InvalidRequestException missing(String key, String what) {
    return new InvalidRequestException(key, "is missing: " + what + " is required");
  }

  private Optional<Path> find(List<String> names, Optional<String> explicit, String variable) {
    if (explicit.isPresent()) {
      Path p = Path.of(explicit.get());
      if (!Files.isRegularFile(p)) {
        throw new InvalidRequestException(variable, "'" + p + "' is not a file");
      }
      return Optional.of(p);
    }
    return candidates(names, Optional.empty()).stream().filter(Files::isRegularFile).findFirst();
  }

  private List<Path> candidates(List<String> names, Optional<String> explicit) {
    List<Path> dirs = new ArrayList<>();
    dirs.add(workingDirectory);
    env("HOME").ifPresent(home -> dirs.add(Path.of(home, ".config", "openstack")));
    dirs.add(systemDirectory);
    List<Path> out = new ArrayList<>();
    explicit.ifPresent(e -> out.add(Path.of(e)));
    for (Path dir : dirs) {
      for (String name : names) {
        out.add(dir.resolve(name));
      }
    }
    return out;
  }

  private static JsonNode load(Path file) {
    try {
      JsonNode node = YAML.readTree(file.toFile());
      if (node == null || !node.isObject()) {
        throw new InvalidRequestException(file.toString(), "is not a YAML mapping with a 'clouds' key");
      }
      return node;
    } catch (IOException e) {
      // The parser's message quotes the line it failed on, which may hold a password.
      throw new InvalidRequestException(file.toString(), "cannot be read as YAML ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static void merge(ObjectNode into, ObjectNode from) {
    Iterator<Map.Entry<String, JsonNode>> fields = from.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      if (e.getValue().isObject() && into.get(e.getKey()) instanceof ObjectNode child) {
        merge(child, (ObjectNode) e.getValue());
      } else {
        into.set(e.getKey(), e.getValue());
      }
    }
  }

  private static Optional<String> text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull() || value.isContainerNode()) {
      return Optional.empty();
    }
    return Optional.of(value.asText()).filter(s -> !s.isBlank());
  }

  private Optional<String> env(String name) {
    return Optional.ofNullable(environment.apply(name)).filter(s -> !s.isBlank());
  }
}
